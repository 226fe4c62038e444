import type { FsEvent } from './fs-event.js';

/**
 * Byte-exact serialization of events and of the other server→client frames of mod_event_socket.
 * Content-Length values are always UTF-8 byte counts (C strlen), never string lengths.
 */
export type EventFormat = 'plain' | 'json' | 'xml';

/** switch_url_encode's unsafe set, plus every byte < 0x20 or > 0x7E. */
const UNSAFE = new Set(Array.from('\r\n #%&+:;<=>?@[\\]^`{|}"', (c) => c.charCodeAt(0)));
const NEEDS_ENCODING = /[^\x21-\x7e]|[#%&+:;<=>?@[\\\]^`{|}"]/;
const HEX = '0123456789ABCDEF';
const isUpperHex = (b: number | undefined) => b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46));

/**
 * switch_url_encode (double_encode off): uppercase %XX over UTF-8 bytes; a `%` already followed
 * by two uppercase hex digits is left alone.
 */
export function urlEncode(value: string): string {
  if (!NEEDS_ENCODING.test(value)) return value;
  const bytes = Buffer.from(value, 'utf8');
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x25 && i + 2 < bytes.length && isUpperHex(bytes[i + 1]) && isUpperHex(bytes[i + 2])) {
      out += '%';
    } else if (b < 0x20 || b > 0x7e || UNSAFE.has(b)) {
      out += '%' + HEX[b >> 4] + HEX[b & 15];
    } else {
      out += String.fromCharCode(b);
    }
  }
  return out;
}

export const byteLength = (text: string): number => Buffer.byteLength(text, 'utf8');

/** switch_event_serialize(event, encode=TRUE). */
export function serializePlain(event: FsEvent): string {
  if (event.cache.plain !== undefined) return event.cache.plain;
  let out = '';
  for (const [name, value] of event.headers) {
    const encoded = urlEncode(value);
    out += `${name}: ${encoded === '' ? '_undef_' : encoded}\n`;
  }
  out += event.body ? `Content-Length: ${byteLength(event.body)}\n\n${event.body}` : '\n';
  event.cache.plain = out;
  return out;
}

/** switch_event_serialize_json: flat, string values, duplicates kept as cJSON keeps them. */
export function serializeJson(event: FsEvent): string {
  if (event.cache.json !== undefined) return event.cache.json;
  const parts = event.headers.map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)}`);
  if (event.body !== undefined) {
    parts.push(`"Content-Length":${JSON.stringify(String(byteLength(event.body)))}`);
    parts.push(`"_body":${JSON.stringify(event.body)}`);
  }
  const out = `{${parts.join(',')}}`;
  event.cache.json = out;
  return out;
}

const xmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');

/** switch_event_xmlize + switch_xml_toxml: URL-encoded header values, indented by two spaces. */
export function serializeXml(event: FsEvent): string {
  if (event.cache.xml !== undefined) return event.cache.xml;
  let out = '<event>\n  <headers>\n';
  for (const [name, value] of event.headers) out += `    <${name}>${xmlText(urlEncode(value))}</${name}>\n`;
  out += '  </headers>\n';
  if (event.body) {
    out += `  <Content-Length>${byteLength(event.body)}</Content-Length>\n`;
    const body = xmlText(event.body);
    out += `  <body>${body}${body.endsWith('\n') ? '  ' : ''}</body>\n`;
  }
  out += '</event>\n';
  event.cache.xml = out;
  return out;
}

export function serializeEvent(event: FsEvent, format: EventFormat): string {
  return format === 'json' ? serializeJson(event) : format === 'xml' ? serializeXml(event) : serializePlain(event);
}

/** An event frame: Content-Length first, then Content-Type (the order FreeSWITCH uses here). */
export function eventFrame(event: FsEvent, format: EventFormat): Buffer {
  const payload = Buffer.from(serializeEvent(event, format), 'utf8');
  const head = Buffer.from(`Content-Length: ${payload.length}\nContent-Type: text/event-${format}\n\n`, 'utf8');
  return Buffer.concat([head, payload]);
}

export function commandReply(replyText: string): string {
  return `Content-Type: command/reply\nReply-Text: ${replyText}\n\n`;
}

/** A `~` reply: FreeSWITCH sends the text as raw headers after Content-Type (bgapi, userauth). */
export function rawCommandReply(rawHeaders: string): string {
  return `Content-Type: command/reply\n${rawHeaders}`;
}

/** api/response: Content-Type first, then Content-Length (the opposite order of events). */
export function apiResponse(body: string): Buffer {
  const payload = Buffer.from(body, 'utf8');
  return Buffer.concat([Buffer.from(`Content-Type: api/response\nContent-Length: ${payload.length}\n\n`), payload]);
}

export const GOODBYE = 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n';

export function disconnectNotice(message: string, sessionUuid?: string): { head: string; body: string } {
  const length = byteLength(message);
  const head = sessionUuid
    ? `Content-Type: text/disconnect-notice\nControlled-Session-UUID: ${sessionUuid}\nContent-Disposition: disconnect\nContent-Length: ${length}\n\n`
    : `Content-Type: text/disconnect-notice\nContent-Length: ${length}\n\n`;
  return { head, body: message };
}

export function lingerNotice(sessionUuid: string, channelName: string, lingerSeconds: number): string {
  return (
    `Content-Type: text/disconnect-notice\nControlled-Session-UUID: ${sessionUuid}\nContent-Disposition: linger\n` +
    `Channel-Name: ${channelName}\nLinger-Time: ${lingerSeconds}\nContent-Length: 0\n\n`
  );
}

export interface LogLine {
  level: number;
  file: string;
  func: string;
  line: number;
  userData?: string;
  text: string;
}

/** A log/data frame, as read_packet writes it for `log <level>` listeners. */
export function logDataFrame(log: LogLine): Buffer {
  const payload = Buffer.from(log.text, 'utf8');
  const head =
    `Content-Type: log/data\nContent-Length: ${payload.length}\nLog-Level: ${log.level}\n` +
    `Text-Channel: ${log.userData ? 3 : 0}\nLog-File: ${log.file}\nLog-Func: ${log.func}\nLog-Line: ${log.line}\n` +
    `User-Data: ${log.userData ?? ''}\n\n`;
  return Buffer.concat([Buffer.from(head, 'utf8'), payload]);
}
