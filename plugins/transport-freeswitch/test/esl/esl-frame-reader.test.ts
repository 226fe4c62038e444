/** The frame reader on every real capture, in any chunking, and on bad input. */
import t from 'tap';
import { EslFrameReader, MAX_CONTENT_LENGTH, type EslFrame, type EslReadResult } from '../../src/esl/esl-frame-reader.js';
import { captureNames, chunkRandomly, describeFrame, readFramesFile, readFs2App, seededRandom } from './helpers.js';

function read(chunks: readonly Buffer[]): EslReadResult[] {
  const results: EslReadResult[] = [];
  const reader = new EslFrameReader((result) => results.push(result));
  for (const chunk of chunks) reader.push(chunk);
  const truncated = reader.end();
  if (truncated) results.push({ kind: 'fault', reason: truncated });
  return results;
}

function framesOf(results: readonly EslReadResult[]): EslFrame[] {
  return results.map((result) => {
    if (result.kind !== 'frame') throw new Error(`not a frame: ${JSON.stringify(result)}`);
    return result.frame;
  });
}

const frame = (headers: string, body = ''): Buffer => {
  const bytes = Buffer.from(body);
  return Buffer.from(`${headers}${body ? `Content-Length: ${bytes.length}\n` : ''}\n${body}`);
};

t.test('every capture reads as the frame sequence FreeSWITCH sent, in any chunking', async (t) => {
  const names = captureNames();
  t.equal(names.length, 16, 'all ESL sessions of the capture set');
  for (const name of names) {
    const stream = readFs2App(name);
    const expected = readFramesFile(name);
    const random = seededRandom(name.length * 7919);
    const chunkings: [string, Buffer[]][] = [
      ['one chunk', [stream]],
      ['1-byte chunks', chunkRandomly(stream, () => 0, 1)],
      ['random chunks up to 7 bytes', chunkRandomly(stream, random, 7)],
      ['random chunks up to 3000 bytes', chunkRandomly(stream, random, 3000)],
    ];
    for (const [label, chunks] of chunkings) {
      const frames = framesOf(read(chunks));
      t.equal(frames.map(describeFrame).join('\n') + '\n', expected, `${name}, ${label}: frame sequence`);
      // Byte accuracy: frames tile the stream exactly, bodies are exactly Content-Length bytes.
      t.ok(Buffer.concat(frames.map((f) => f.raw)).equals(stream), `${name}, ${label}: frames cover the stream byte for byte`);
      t.ok(
        frames.every((f) => (f.body?.length ?? 0) === Number(f.headers['Content-Length'] ?? 0)),
        `${name}, ${label}: every body has Content-Length bytes`,
      );
    }
  }
});

t.test('events are typed in every format the captures have', async (t) => {
  const basic = framesOf(read([readFs2App('esl_inbound_basic')]));
  const jobs = basic.filter((f) => f.event?.name === 'BACKGROUND_JOB').map((f) => [f.contentType, f.event!.headers['Job-UUID'], f.event!.body]);
  t.same(jobs, [
    ['text/event-plain', '45705132-3e06-44c7-92aa-91f3b27be222', readFs2App('esl_inbound_basic').toString().match(/Content-Length: 335\n\n([^]{335})/)![1]],
    ['text/event-plain', '11111111-2222-3333-4444-555555555555', jobs[1]![2]],
    ['text/event-json', '663fbd14-a829-4310-afea-6fb17d31fde8', 'FreeSWITCH Version 1.10.12-release~64bit ( 64bit)\n'],
    ['text/event-xml', '7268940a-6bc2-4689-b73d-3e09a2fbac24', '-ERR no_such_command Command not found!\n'],
  ]);
  t.match(jobs[1]![2], /^UP 0 years.*\n[^]*Current Stack Size\/Max 240K\/8192K\n$/, 'plain body sliced on its Content-Length');
  const plainJob = basic.find((f) => f.contentType === 'text/event-plain')!.event!;
  t.equal(plainJob.headers['Event-Date-Local'], '2026-11-22 04:31:24', 'plain values are URL-decoded');
  t.equal(plainJob.headers['FreeSWITCH-IPv6'], 'fd00::2');

  const outbound = framesOf(read([readFs2App('esl_outbound_json_call1000')]));
  const channelData = outbound[0]!;
  t.equal(channelData.contentType, 'command/reply');
  t.equal(channelData.headers['Reply-Text'], '+OK\n', 'outer headers of the CHANNEL_DATA reply are URL-decoded');
  t.equal(channelData.headers['Unique-ID'], 'ec15ec6f-4929-478e-a0e2-f77719345b8a');
  t.equal(channelData.headers.Control, 'full');

  const stream = framesOf(read([readFs2App('audio_stream_e1_esl_mono16k')]));
  const custom = stream.find((f) => f.event?.subclass === 'mod_audio_stream::play')!.event!;
  t.equal(custom.name, 'CUSTOM');
  t.ok(custom.uuid, 'uuid is the Unique-ID');
  t.match(JSON.parse(custom.body!), { audioDataType: String }, 'a CUSTOM event body is its JSON payload');
});

t.test('multi-byte (Chinese) text stays whole, whatever the chunking', async (t) => {
  const chinese = '您好，欢迎致电。请说出您的问题：退款、账单或人工服务。';
  const json = JSON.stringify({ 'Event-Name': 'CUSTOM', 'Event-Subclass': 'mod_audio_stream::json', 'Unique-ID': 'u1', variable_caller_name: '张三', 'Content-Length': String(Buffer.byteLength(chinese)), _body: chinese });
  const plainBody = `Event-Name: CUSTOM\nEvent-Subclass: mod_audio_stream%3A%3Ajson\nvariable_caller_name: ${encodeURIComponent('张三')}\nContent-Length: ${Buffer.byteLength(chinese)}\n\n${chinese}`;
  const stream = Buffer.concat([
    frame('Content-Type: text/event-json\n', json),
    frame('Content-Type: text/event-plain\n', plainBody),
    frame('Content-Type: api/response\n', `${chinese}\n`),
  ]);
  t.ok(Buffer.byteLength(chinese) > chinese.length * 2, 'the text is multi-byte');
  for (const maxChunk of [1, 2, 5, 64, stream.length]) {
    const frames = framesOf(read(chunkRandomly(stream, seededRandom(maxChunk), maxChunk)));
    t.equal(frames.length, 3, `chunks up to ${maxChunk} bytes`);
    t.equal(frames[0]!.event!.body, chinese, 'json _body');
    t.equal(frames[0]!.event!.headers.variable_caller_name, '张三');
    t.equal(frames[1]!.event!.body, chinese, 'plain body, sliced on bytes');
    t.equal(frames[1]!.event!.headers.variable_caller_name, '张三');
    t.equal(frames[1]!.event!.subclass, 'mod_audio_stream::json');
    t.equal(frames[2]!.body!.toString('utf8'), `${chinese}\n`, 'api/response body');
  }
});

t.test('invalid frames are reported and reading carries on after them', async (t) => {
  const good = frame('Content-Type: api/response\n', '+OK\n');
  const cases: [string, Buffer, RegExp][] = [
    ['garbage lines', Buffer.from('hello world\nthis is not ESL\n\n'), /not 'Name: value'/],
    ['no Content-Type', Buffer.from('Reply-Text: +OK\n\n'), /no Content-Type/],
    ['a bad % in an outer header', Buffer.from('Content-Type: command/reply\nReply-Text: +OK 100% done\n\n'), /percent-encoding/],
    ['a bad % in a plain event header', frame('Content-Type: text/event-plain\n', 'Event-Name: CUSTOM\nvariable_x: 50%\n\n'), /percent-encoding/],
    ['bytes that are not UTF-8 behind %', frame('Content-Type: text/event-plain\n', 'Event-Name: CUSTOM\nvariable_x: %FF%FE\n\n'), /percent-encoding/],
    ['a JSON event whose body is not JSON', frame('Content-Type: text/event-json\n', '{"Event-Name": "CHANNEL_ANSWER",'), /not JSON/],
    ['a JSON event that is an array', frame('Content-Type: text/event-json\n', '["Event-Name"]'), /not a JSON object/],
    ['a JSON event without Event-Name', frame('Content-Type: text/event-json\n', '{"Unique-ID":"x"}'), /no Event-Name/],
    ['a plain event whose body length runs past the frame', frame('Content-Type: text/event-plain\n', 'Event-Name: CUSTOM\nContent-Length: 99\n\nshort'), /runs past/],
    ['an XML event that is not XML', frame('Content-Type: text/event-xml\n', 'nope'), /no <headers>/],
  ];
  for (const [label, bad, reason] of cases) {
    const results = read([good, bad, good]);
    t.match(results, [{ kind: 'frame' }, { kind: 'invalid', reason, bytes: bad.length }, { kind: 'frame' }], label);
  }
});

t.test('blank lines between frames are skipped, a blank line split across chunks still ends a header block', async (t) => {
  const stream = Buffer.from('\n\nContent-Type: command/reply\nReply-Text: +OK\n\n\nContent-Type: auth/request\n\n');
  for (const chunks of [[stream], chunkRandomly(stream, () => 0, 1)]) {
    const frames = framesOf(read(chunks));
    t.same(frames.map(describeFrame), ['command/reply +OK', 'auth/request']);
  }
});

t.test('faults: what cannot be delimited stops the reader', async (t) => {
  const over = MAX_CONTENT_LENGTH + 1;
  t.match(read([Buffer.from(`Content-Type: api/response\nContent-Length: ${20 * 1024 * 1024}\n\n`)]), [{ kind: 'fault', reason: /over the 16777216-byte limit/ }], '20 MiB');
  t.match(read([Buffer.from(`Content-Type: api/response\nContent-Length: ${over}\n\n`)]), [{ kind: 'fault' }], 'one byte over the limit');
  t.match(read([Buffer.from('Content-Type: api/response\nContent-Length: -5\n\n')]), [{ kind: 'fault', reason: /not a byte count/ }], 'negative');
  t.match(read([Buffer.from('Content-Type: api/response\nContent-Length: 12abc\n\n')]), [{ kind: 'fault', reason: /not a byte count/ }], 'not a number');
  const endless = Buffer.from('X-Header: value\n'.repeat(5000));
  t.match(read([endless]), [{ kind: 'fault', reason: /no end of header block within 65536 bytes/ }], 'header block too long, one chunk');
  t.match(read(chunkRandomly(endless, seededRandom(3), 100)), [{ kind: 'fault', reason: /no end of header block/ }], 'header block too long, in pieces');
  const results: EslReadResult[] = [];
  const reader = new EslFrameReader((r) => results.push(r));
  reader.push(Buffer.from(`Content-Type: api/response\nContent-Length: ${over}\n\n`));
  reader.push(frame('Content-Type: api/response\n', '+OK\n'));
  t.equal(results.length, 1, 'nothing is read after a fault');
  t.ok(reader.stopped);
});

t.test('a frame still incomplete at the end of the stream is reported by end()', async (t) => {
  const reader = new EslFrameReader(() => {});
  const truncated = Buffer.from('Content-Length: 100\nContent-Type: text/event-json\n\n{"Event-Name":');
  reader.push(truncated);
  t.equal(reader.pendingBytes, truncated.length);
  t.match(reader.end(), new RegExp(`ended inside a frame \\(${truncated.length} bytes`));
  const clean = new EslFrameReader(() => {});
  clean.push(frame('Content-Type: api/response\n', '+OK\n'));
  t.equal(clean.pendingBytes, 0);
  t.equal(clean.end(), undefined);
});

t.test('many frames in one chunk and large bodies in many chunks stay linear', async (t) => {
  const event = readFs2App('esl_inbound_event_json_call1001');
  const many = Buffer.concat(Array.from({ length: 50 }, () => event));
  let frames = 0;
  const reader = new EslFrameReader((r) => {
    if (r.kind === 'frame') frames++;
  });
  reader.push(many);
  t.equal(frames, 50 * 22, 'all frames of 50 sessions in one chunk');
  const big = frame('Content-Type: api/response\n', 'x'.repeat(8 * 1024 * 1024));
  const bodies: number[] = [];
  const bigReader = new EslFrameReader((r) => {
    if (r.kind === 'frame') bodies.push(r.frame.body!.length);
  });
  const started = process.hrtime.bigint();
  for (let at = 0; at < big.length; at += 1024) bigReader.push(big.subarray(at, at + 1024));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  t.same(bodies, [8 * 1024 * 1024], 'an 8 MiB body in 1 KiB chunks');
  t.ok(ms < 5000, `not quadratic (${ms.toFixed(0)} ms)`);
});
