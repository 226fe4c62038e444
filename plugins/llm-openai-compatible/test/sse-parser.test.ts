import t from 'tap';
import { SseParser, type SseEvent } from '../src/sse-parser.js';

const utf8 = (text: string) => Buffer.from(text, 'utf8');

/** Feeds `bytes` in the given pieces and returns every event. */
function parse(bytes: Uint8Array, cuts: number[] = []): SseEvent[] {
  const parser = new SseParser();
  const events: SseEvent[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    events.push(...parser.push(bytes.subarray(from, cut)));
    from = cut;
  }
  events.push(...parser.end());
  return events;
}

const STREAM = [
  ': keep-alive',
  '',
  'data: {"choices":[{"delta":{"content":"你好，世界"}}]}',
  '',
  'event: error',
  'data: {"error":{"message":"坏了"}}',
  '',
  'data: first line',
  'data:second line',
  'data',
  '',
  'id: 7',
  'retry: 1000',
  'data: [DONE]',
  '',
];
const EXPECTED: SseEvent[] = [
  { event: 'message', data: '{"choices":[{"delta":{"content":"你好，世界"}}]}' },
  { event: 'error', data: '{"error":{"message":"坏了"}}' },
  { event: 'message', data: 'first line\nsecond line\n' },
  { event: 'message', data: '[DONE]' },
];

t.test('parses data, event, comments, multi-line data and ignores id/retry', async (t) => {
  t.same(parse(utf8(STREAM.join('\n') + '\n')), EXPECTED);
});

t.test('LF, CRLF and CR line endings give the same events', async (t) => {
  for (const eol of ['\n', '\r\n', '\r']) t.same(parse(utf8(STREAM.join(eol) + eol)), EXPECTED, JSON.stringify(eol));
});

t.test('a split at every byte position, including inside Chinese characters and CRLF, changes nothing', async (t) => {
  for (const eol of ['\n', '\r\n', '\r']) {
    const bytes = utf8(STREAM.join(eol) + eol);
    let failures = 0;
    for (let cut = 1; cut < bytes.length; cut++) if (JSON.stringify(parse(bytes, [cut])) !== JSON.stringify(EXPECTED)) failures++;
    t.equal(failures, 0, `single cut, ${JSON.stringify(eol)}`);
    t.same(parse(bytes, Array.from({ length: bytes.length - 1 }, (_, i) => i + 1)), EXPECTED, `one byte at a time, ${JSON.stringify(eol)}`);
    t.same(parse(bytes, Array.from({ length: Math.floor((bytes.length - 1) / 3) }, (_, i) => 3 * (i + 1))), EXPECTED, `3-byte pieces, ${JSON.stringify(eol)}`);
  }
});

t.test('blank lines alone, comments alone and an event of only an id dispatch nothing', async (t) => {
  t.same(parse(utf8('\n\n: ping\n\nid: 1\n\n\r\n')), []);
});

t.test('a last event without its blank line is still delivered at the end', async (t) => {
  t.same(parse(utf8('data: a\n\ndata: [DONE]')), [
    { event: 'message', data: 'a' },
    { event: 'message', data: '[DONE]' },
  ]);
  const parser = new SseParser();
  t.same(parser.push(utf8('data: [DONE]\n')), [], 'nothing before the end');
  t.same(parser.end(), [{ event: 'message', data: '[DONE]' }]);
});

t.test('a leading BOM is dropped; an empty data line is an empty event', async (t) => {
  t.same(parse(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8('data: x\n\ndata:\n\n')])), [
    { event: 'message', data: 'x' },
    { event: 'message', data: '' },
  ]);
});

t.test('only one space after the colon is stripped; a line without a colon is a field name', async (t) => {
  t.same(parse(utf8('data:  two spaces\n\nevent\ndata: x\n\n')), [
    { event: 'message', data: ' two spaces' },
    { event: 'message', data: 'x' },
  ]);
});
