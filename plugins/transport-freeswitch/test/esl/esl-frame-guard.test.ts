/** The guard between a real TCP socket and modesl's real Parser. */
import net, { type AddressInfo, type Socket } from 'node:net';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import t from 'tap';
import { EslFrameGuard } from '../../src/esl/esl-frame-guard.js';
import type { EslFrame } from '../../src/esl/esl-frame-reader.js';
import { chunkRandomly, describeFrame, readFramesFile, readFs2App, seededRandom, testLogger, watchUncaught, type TestLike } from './helpers.js';

interface ModeslParser {
  on(event: 'esl::event', listener: (event: unknown, headers: Record<string, unknown>, body?: string) => void): void;
}
const Parser = createRequire(import.meta.url)('modesl/lib/esl/Parser.js') as new (socket: Duplex) => ModeslParser;

/** A connected pair on 127.0.0.1: `far` plays FreeSWITCH, `near` is wrapped by the guard. */
async function socketPair(t: TestLike): Promise<{ near: Socket; far: Socket }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  const near = net.connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port });
  const far = await accepted;
  far.on('error', () => {});
  t.teardown(() => {
    near.destroy();
    far.destroy();
    server.close();
  });
  return { near, far };
}

function guarded(near: Socket, frameStallMs = 2000) {
  const { log, logs } = testLogger();
  const guard = new EslFrameGuard(near, { log, frameStallMs });
  const order: string[] = [];
  const frames: EslFrame[] = [];
  guard.on('frame', (frame: EslFrame) => {
    frames.push(frame);
    order.push(`frame ${frame.contentType}`);
  });
  return { guard, logs, order, frames };
}

const MODESL_TYPES = ['auth/request', 'command/reply', 'api/response'];

t.test('a whole capture: every frame emitted in order, modesl gets exactly its frames, one per chunk, right after their frame event', async (t) => {
  const uncaught = watchUncaught(t);
  const { near, far } = await socketPair(t);
  const { guard, order, frames } = guarded(near);
  const chunks: Buffer[] = [];
  guard.on('data', (chunk: Buffer) => chunks.push(chunk));
  const parsed: string[] = [];
  new Parser(guard).on('esl::event', (_event, headers) => {
    parsed.push(String(headers['Content-Type']));
    order.push(`modesl ${String(headers['Content-Type'])}`);
  });
  const stream = readFs2App('esl_inbound_event_json_call1001');
  for (const chunk of chunkRandomly(stream, seededRandom(7), 1500)) far.write(chunk);
  far.end();
  await new Promise((resolve) => guard.once('close', resolve));

  t.equal(frames.map(describeFrame).join('\n') + '\n', readFramesFile('esl_inbound_event_json_call1001'), 'every frame, in order');
  const forModesl = frames.filter((f) => MODESL_TYPES.includes(f.contentType));
  t.same(parsed, forModesl.map((f) => f.contentType), 'modesl parsed exactly the command-side frames');
  t.ok(chunks.every((chunk, i) => chunk.equals(forModesl[i]!.raw)), 'one whole frame per chunk, byte for byte');
  order.forEach((entry, i) => {
    if (entry.startsWith('modesl ')) t.equal(order[i - 1], `frame ${entry.slice(7)}`, `modesl saw ${entry.slice(7)} right after its frame event`);
  });
  t.equal(guard.closeReason, 'FreeSWITCH closed the connection');
  t.same(uncaught, []);
});

t.test('nothing is read from the socket before modesl listens, so nothing is lost or reordered', async (t) => {
  const { near, far } = await socketPair(t);
  const { guard, frames } = guarded(near);
  far.write(readFs2App('esl_inbound_basic'));
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.equal(frames.length, 0, 'not read yet');
  const parsed: string[] = [];
  new Parser(guard).on('esl::event', (_e, headers) => parsed.push(String(headers['Content-Type'])));
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.equal(frames.length, 24);
  t.equal(parsed.length, frames.filter((f) => MODESL_TYPES.includes(f.contentType)).length);
});

t.test('writes go through to the socket; the writes of one tick are corked together', async (t) => {
  const { near, far } = await socketPair(t);
  const { guard } = guarded(near);
  new Parser(guard);
  const received: Buffer[] = [];
  far.on('data', (chunk: Buffer) => received.push(chunk));
  guard.write('api status\n');
  guard.write('Some-Header: 中文\n');
  t.equal(near.writableCorked, 1, 'corked while modesl writes a command line by line');
  guard.write('\n');
  await new Promise((resolve) => process.nextTick(resolve));
  t.equal(near.writableCorked, 0, 'uncorked on the next tick');
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.equal(Buffer.concat(received).toString('utf8'), 'api status\nSome-Header: 中文\n\n');
});

t.test('a stalled frame resets: socket destroyed, fault and close reason say why', async (t) => {
  const { near, far } = await socketPair(t);
  const { guard, logs } = guarded(near, 100);
  new Parser(guard);
  const farClosed = new Promise((resolve) => far.once('close', resolve));
  far.write('Content-Type: api/response\nContent-Length: 100\n\nonly a few bytes');
  await new Promise((resolve) => guard.once('close', resolve));
  t.match(guard.fault, { code: 'VAPI_ERR_ESL_PROTOCOL', category: 'bad_input', message: /incomplete for \d+ ms \(\d+ bytes held\)/ });
  t.match(guard.closeReason, /^VAPI_ERR_ESL_PROTOCOL: a frame has been incomplete/);
  t.ok(near.destroyed, 'the socket is destroyed');
  await farClosed;
  t.match(logs, [{ level: 'error', msg: /resetting the connection/ }]);
});

t.test('an unreadable reply resets (it cannot be dropped without shifting replies); an unreadable event is dropped', async (t) => {
  const { near, far } = await socketPair(t);
  const { guard, logs, frames } = guarded(near);
  new Parser(guard);
  far.write('Content-Length: 5\nContent-Type: text/event-json\n\n{"a":' + 'Content-Type: command/reply\nReply-Text: +OK\n\n');
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.same(frames.map((f) => f.contentType), ['command/reply'], 'the bad event was dropped, the reply went through');
  t.match(logs, [{ level: 'warn', msg: 'ESL: dropped an invalid frame', obj: { contentType: 'text/event-json', reason: /not JSON/ } }]);
  far.write('Content-Type: api/response\nBroken header line\nContent-Length: 4\n\n+OK\n');
  await new Promise((resolve) => guard.once('close', resolve));
  t.match(guard.closeReason, /VAPI_ERR_ESL_PROTOCOL: unreadable api\/response .*would pair later replies with the wrong commands/);
});

t.test("modesl's Parser never throws on what the guard hands it, whatever the bytes", async (t) => {
  const uncaught = watchUncaught(t);
  const random = seededRandom(99);
  const sources = ['esl_inbound_basic', 'esl_outbound_plain_call1000', 'esl_inbound_heartbeat_log_misc'].map(readFs2App);
  const hazards = Buffer.from('%\n: {"0Z\xff');
  let errors = 0;
  for (let round = 0; round < 15; round++) {
    const { near, far } = await socketPair(t);
    const { guard } = guarded(near, 100);
    const parser = new Parser(guard);
    (parser as unknown as { on(e: string, l: () => void): void }).on('error', () => errors++);
    const bytes = Buffer.from(sources[round % sources.length]!);
    for (let i = 0; i < 30 * (round + 1); i++) bytes[Math.floor(random() * bytes.length)] = hazards[Math.floor(random() * hazards.length)]!;
    for (const chunk of chunkRandomly(bytes, random, 2000)) far.write(chunk);
    far.end();
    await new Promise((resolve) => guard.once('close', resolve));
  }
  t.equal(errors, 0, 'modesl reported no parse error');
  t.same(uncaught, [], 'and nothing was thrown');
});
