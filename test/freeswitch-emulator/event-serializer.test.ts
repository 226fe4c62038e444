/**
 * Serialization against FreeSWITCH's own output: events from the captures are rebuilt header by
 * header and must serialize to the very same bytes (plain URL encoding, JSON, XML).
 */
import t from 'tap';
import { FsEvent } from './fs-event.js';
import { byteLength, eventFrame, serializeJson, serializePlain, serializeXml, urlEncode } from './event-serializer.js';
import { header, jsonPairs, loadCapture, parseFrames, type Frame } from './test-support.js';

function plainToEvent(text: string): FsEvent {
  const end = text.indexOf('\n\n');
  const head = text.slice(0, end);
  const event = new FsEvent('X');
  for (const line of head.split('\n')) {
    const i = line.indexOf(': ');
    const raw = line.slice(i + 2);
    event.add(line.slice(0, i), raw === '_undef_' ? '' : decodeURIComponent(raw));
  }
  // A body follows as "Content-Length: N\n\n<body>": the length header is the serializer's to write.
  const length = event.get('Content-Length');
  if (length !== undefined) {
    event.headers.splice(event.headers.findIndex(([n]) => n === 'Content-Length'), 1);
    event.body = text.slice(end + 2);
  }
  return event;
}

function jsonToEvent(text: string): FsEvent {
  const event = new FsEvent('X');
  for (const [name, value] of jsonPairs(text)) {
    if (name === '_body') event.body = value;
    else if (name !== 'Content-Length') event.add(name, value);
  }
  return event;
}

const events = (name: string, type: string): Frame[] =>
  parseFrames(loadCapture(name).fs2app).filter((f) => header(f, 'Content-Type') === type);

t.test('URL encoding: FreeSWITCH unsafe set, uppercase hex, UTF-8 bytes, no double encoding', async (t) => {
  t.equal(urlEncode('2026-11-22 04:31:24'), '2026-11-22%2004%3A31%3A24');
  t.equal(urlEncode('Sun, 22 Nov 2026 04:31:24 GMT'), 'Sun,%2022%20Nov%202026%2004%3A31%3A24%20GMT');
  t.equal(urlEncode('sofia/lo/sipp@127.0.0.1:5070'), 'sofia/lo/sipp%40127.0.0.1%3A5070');
  t.equal(urlEncode('tone_stream://%(2000,0,600)'), 'tone_stream%3A//%25(2000,0,600)');
  t.equal(urlEncode('+OK\n'), '%2BOK%0A');
  t.equal(urlEncode('fd00::2'), 'fd00%3A%3A2');
  t.equal(urlEncode('a#b&c;d<e>f?g[h\\i]j^k`l{m|n}o"p'), 'a%23b%26c%3Bd%3Ce%3Ef%3Fg%5Bh%5Ci%5Dj%5Ek%60l%7Bm%7Cn%7Do%22p');
  t.equal(urlEncode('你好'), '%E4%BD%A0%E5%A5%BD', 'multi-byte text is encoded byte by byte');
  t.equal(urlEncode('50%2B'), '50%2B', 'an existing %XX (uppercase) is kept');
  t.equal(urlEncode('50%2b'), '50%252b', 'lowercase hex is not recognised as encoded');
  t.equal(urlEncode('plain-text_1.0,(x)/~!*$'), 'plain-text_1.0,(x)/~!*$', 'safe characters pass through');
});

t.test('plain events from the captures re-serialize to the same bytes', async (t) => {
  const frames = [
    ...events('esl_inbound_basic', 'text/event-plain'),
    ...parseFrames(loadCapture('esl_outbound_plain_call1000').fs2app).filter((f) => header(f, 'Content-Type') === 'text/event-plain'),
  ];
  t.ok(frames.length >= 10, `${frames.length} plain events`);
  for (const frame of frames) {
    const text = frame.body!.toString('utf8');
    const event = plainToEvent(text);
    t.equal(serializePlain(event), text, `${event.get('Event-Name')} (${byteLength(text)} bytes)`);
    t.same(eventFrame(event, 'plain'), frame.raw, 'and the envelope: Content-Length first, byte count');
  }
});

t.test('the outbound CHANNEL_DATA reply re-serializes to the same bytes', async (t) => {
  const first = parseFrames(loadCapture('esl_outbound_plain_call1000').fs2app)[0];
  const text = first.raw.toString('utf8');
  t.equal(serializePlain(plainToEvent(text)), text);
});

t.test('JSON events from the captures re-serialize to the same bytes, duplicate keys included', async (t) => {
  const frames = [
    ...events('esl_inbound_event_json_call1001', 'text/event-json'),
    ...events('esl_inbound_bgapi_originate', 'text/event-json'),
  ];
  t.ok(frames.length >= 15, `${frames.length} json events`);
  let duplicates = 0;
  for (const frame of frames) {
    const text = frame.body!.toString('utf8');
    const event = jsonToEvent(text);
    if (event.headers.filter(([n]) => n === 'Hangup-Cause').length > 1) duplicates++;
    t.equal(serializeJson(event), text, `${event.get('Event-Name')}`);
  }
  t.ok(duplicates > 0, 'CHANNEL_HANGUP_COMPLETE carries Hangup-Cause twice, as FreeSWITCH sends it');
});

t.test('XML events from the captures re-serialize to the same bytes', async (t) => {
  const frames = events('esl_inbound_basic', 'text/event-xml');
  t.equal(frames.length, 1);
  const text = frames[0].body!.toString('utf8');
  const event = new FsEvent('BACKGROUND_JOB');
  for (const m of text.matchAll(/^ {4}<([^>]+)>(.*)<\/\1>$/gm)) event.add(m[1], decodeURIComponent(m[2]));
  event.body = /<body>([\s\S]*?) {2}<\/body>/.exec(text)![1];
  t.equal(serializeXml(event), text);
});

t.test('Content-Length is counted in bytes, for every format', async (t) => {
  const event = new FsEvent('CUSTOM', 'mod_audio_stream::json');
  event.add('Event-Subclass', 'mod_audio_stream::json').add('Event-Name', 'CUSTOM').add('variable_greeting', '你好，世界').add('Empty', '');
  event.body = '{"text":"请稍等"}';
  const bodyBytes = Buffer.byteLength(event.body);
  t.equal(bodyBytes, 20, "20 bytes for 14 characters");
  const plain = serializePlain(event);
  t.match(plain, `variable_greeting: %E4%BD%A0%E5%A5%BD%EF%BC%8C%E4%B8%96%E7%95%8C\nEmpty: _undef_\nContent-Length: ${bodyBytes}\n\n{"text":"请稍等"}`);
  const json = JSON.parse(serializeJson(event)) as Record<string, string>;
  t.equal(json['Content-Length'], String(bodyBytes));
  t.equal(json.variable_greeting, '你好，世界', 'JSON values are not URL-encoded');
  t.equal(json.Empty, '', 'an empty value stays empty in JSON');
  for (const format of ['plain', 'json', 'xml'] as const) {
    const frame = eventFrame(event, format);
    const m = /^Content-Length: (\d+)\nContent-Type: text\/event-(\w+)\n\n/.exec(frame.toString('utf8'))!;
    t.equal(m[2], format);
    t.equal(Number(m[1]), frame.length - Buffer.byteLength(m[0]), `${format}: the envelope counts bytes`);
  }
});
