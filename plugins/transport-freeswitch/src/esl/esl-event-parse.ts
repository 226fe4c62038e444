/**
 * Turns the body of an event frame (`text/event-json`, `-plain`, `-xml`) into a typed EslEvent,
 * and reads `Name: value` header lines. Nothing here throws on bad input: a problem comes back as
 * a string saying what is wrong (specs/protocols.md §1.2 describes the formats).
 */
import type { EslEvent } from './types.js';

/** What a header name may contain: printable ASCII without space or colon. */
const HEADER_NAME = /^[!-9;-~]+$/;
/** A Content-Length: decimal digits only (no sign, no spaces, no exponent). */
export const BYTE_COUNT = /^[0-9]{1,10}$/;
const BLANK_LINE = Buffer.from('\n\n');
const PREVIEW_CHARS = 80;

export type HeaderMap = Record<string, string>;

/** A header map without a prototype, so that a header named `__proto__` is just a header. */
export function newHeaderMap(): HeaderMap {
  return Object.create(null) as HeaderMap;
}

/**
 * FreeSWITCH URL-encodes values in plain events and in some outer headers (the outbound
 * CHANNEL_DATA reply). undefined when the encoding is broken (`%` without two hex digits, or
 * bytes that are not UTF-8): modesl's decodeURIComponent would throw on those.
 */
export function decodeHeaderValue(raw: string): string | undefined {
  if (raw.indexOf('%') < 0) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/**
 * Reads `Name: value` lines (LF separated, values percent-decoded) into `into`. Keeps going after
 * a bad line so that the caller still learns the Content-Length; returns the first problem.
 */
export function readHeaderLines(text: string, into: HeaderMap): string | undefined {
  let problem: string | undefined;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (line.length === 0) continue;
    const separator = line.indexOf(': ');
    const name = separator > 0 ? line.slice(0, separator) : '';
    if (!HEADER_NAME.test(name)) {
      problem ??= `a header line is not 'Name: value': ${preview(line)}`;
      continue;
    }
    const value = decodeHeaderValue(line.slice(separator + 2));
    if (value === undefined) {
      problem ??= `header ${name} has invalid percent-encoding: ${preview(line)}`;
      continue;
    }
    into[name] = value;
  }
  return problem;
}

/** An EslEvent over a header map (outer headers of CHANNEL_DATA, or a parsed event body). */
export function eslEventFromHeaders(headers: HeaderMap, body?: string): EslEvent {
  return {
    name: headers['Event-Name'] ?? '',
    subclass: headers['Event-Subclass'],
    uuid: headers['Unique-ID'],
    headers,
    body,
  };
}

/** `text/event-json`: one flat JSON object of string values, the body under `_body`. */
export function parseJsonEvent(body: Buffer | undefined): EslEvent | string {
  if (!body) return 'an event-json frame without a body';
  let data: unknown;
  try {
    data = JSON.parse(body.toString('utf8'));
  } catch (err) {
    return `the event body is not JSON (${(err as Error).message})`;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'the event body is not a JSON object';
  // The parsed object becomes the header map as is (no copy: events are the bulk of the traffic).
  const headers = data as Record<string, unknown>;
  const eventBody = headers._body;
  if (eventBody !== undefined) delete headers._body; // last key FreeSWITCH writes: a cheap delete
  for (const name in headers) {
    const value = headers[name];
    if (typeof value !== 'string') headers[name] = headerText(value);
  }
  if (typeof headers['Event-Name'] !== 'string' || headers['Event-Name'] === '') return 'the event has no Event-Name';
  return eslEventFromHeaders(headers as HeaderMap, eventBody === undefined || eventBody === null ? undefined : headerText(eventBody));
}

/** JSON arrays are FreeSWITCH array headers: written as in plain events (`ARRAY::a|:b`). */
function headerText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `ARRAY::${value.map(String).join('|:')}`;
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

/**
 * `text/event-plain`: URL-encoded `Name: value` lines, a blank line, then (when the event has a
 * body) exactly `Content-Length` bytes. Sliced on bytes, so multi-byte text stays whole.
 */
export function parsePlainEvent(body: Buffer | undefined): EslEvent | string {
  if (!body) return 'an event-plain frame without a body';
  const blank = body.indexOf(BLANK_LINE);
  const headerEnd = blank < 0 ? body.length : blank;
  const headers = newHeaderMap();
  const problem = readHeaderLines(body.toString('utf8', 0, headerEnd), headers);
  if (problem) return problem;
  let eventBody: string | undefined;
  const length = headers['Content-Length'];
  if (length !== undefined) {
    if (!BYTE_COUNT.test(length)) return `the event's Content-Length '${preview(length)}' is not a byte count`;
    const start = headerEnd + 2;
    const end = start + Number(length);
    if (blank < 0 || end > body.length) return `the event's Content-Length ${length} runs past the end of the frame`;
    eventBody = body.toString('utf8', start, end);
  }
  if (!headers['Event-Name']) return 'the event has no Event-Name';
  return eslEventFromHeaders(headers, eventBody);
}

const XML_ENTITIES: Readonly<Record<string, string>> = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&apos;': "'" };
const XML_ENTITY = /&(?:lt|gt|amp|quot|apos);/g;

function unescapeXml(text: string): string {
  return text.indexOf('&') < 0 ? text : text.replace(XML_ENTITY, (entity) => XML_ENTITIES[entity]!);
}

/**
 * `text/event-xml` as FreeSWITCH writes it: `<event><headers><Name>value</Name>...</headers>
 * <Content-Length>n</Content-Length><body>...</body></event>`, values URL-encoded. The transport
 * subscribes with `event json`; this is here so that any event a connection receives is typed.
 */
export function parseXmlEvent(body: Buffer | undefined): EslEvent | string {
  if (!body) return 'an event-xml frame without a body';
  const text = body.toString('utf8');
  const open = text.indexOf('<headers>');
  const close = text.indexOf('</headers>', open);
  if (open < 0 || close < 0) return 'the XML event has no <headers> element';
  const headers = newHeaderMap();
  let at = open + '<headers>'.length;
  for (;;) {
    const tagStart = text.indexOf('<', at);
    if (tagStart < 0 || tagStart >= close) break;
    const tagEnd = text.indexOf('>', tagStart);
    const name = text.slice(tagStart + 1, tagEnd);
    if (tagEnd < 0 || !HEADER_NAME.test(name)) return `the XML event has a malformed header element near ${preview(text.slice(tagStart, tagStart + 40))}`;
    const endTag = `</${name}>`;
    const valueEnd = text.indexOf(endTag, tagEnd);
    if (valueEnd < 0 || valueEnd > close) return `the XML header <${name}> is not closed`;
    const value = decodeHeaderValue(unescapeXml(text.slice(tagEnd + 1, valueEnd)));
    if (value === undefined) return `the XML header <${name}> has invalid percent-encoding`;
    headers[name] = value;
    at = valueEnd + endTag.length;
  }
  if (!headers['Event-Name']) return 'the event has no Event-Name';
  let eventBody: string | undefined;
  const bodyStart = text.indexOf('<body>', close);
  const bodyEnd = text.lastIndexOf('</body>');
  if (bodyStart >= 0 && bodyEnd > bodyStart) {
    const raw = Buffer.from(unescapeXml(text.slice(bodyStart + '<body>'.length, bodyEnd)));
    // FreeSWITCH indents the closing tag; the Content-Length element says how much is body.
    const lengthStart = text.indexOf('<Content-Length>', close);
    const declared = lengthStart < 0 ? NaN : Number.parseInt(text.slice(lengthStart + '<Content-Length>'.length), 10);
    eventBody = (Number.isInteger(declared) && declared <= raw.length ? raw.subarray(0, declared) : raw).toString('utf8');
    if (Number.isInteger(declared)) headers['Content-Length'] = String(declared);
  }
  return eslEventFromHeaders(headers, eventBody);
}

/** A short, escaped excerpt of bad input for logs and error messages. */
export function preview(input: string | Buffer): string {
  const text = typeof input === 'string' ? input.slice(0, PREVIEW_CHARS) : input.toString('utf8', 0, Math.min(input.length, PREVIEW_CHARS));
  return JSON.stringify(text);
}
