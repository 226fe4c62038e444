import t from 'tap';
import { audioFrame, stageRefs, type AudioCodec, type AudioFrame, type JitterBuffer, type JitterPop } from '@vapi-cn/sdk-plugin-api';
import { setupPlugin } from '@vapi-cn/sdk-plugin-api/testkit';
import plugin, { RtpJitterBuffer, unwrapSequence } from '../src/index.js';

const buffer = (targetDepth = 3, maxDepth = 25) => new RtpJitterBuffer<string>({ targetDepth, maxDepth });
const push = (jb: JitterBuffer<string>, ...sequences: number[]) => {
  for (const sequence of sequences) jb.push({ sequence, timestamp: sequence * 160, payload: `p${sequence}` });
};
/** What `count` pops give, as 'p<seq>' for packets, 'lost <seq>' and 'empty'. */
const drain = (jb: JitterBuffer<string>, count: number) =>
  Array.from({ length: count }, () => describe(jb.pop()));
const describe = (pop: JitterPop<string>) => (pop.kind === 'packet' ? pop.packet.payload : pop.kind === 'lost' ? `lost ${pop.sequence}` : 'empty');

t.test('serial-number unwrapping', async (t) => {
  t.equal(unwrapSequence(5, 3), 5);
  t.equal(unwrapSequence(0, 65535), 65536);
  t.equal(unwrapSequence(65535, 65536), 65535);
  t.equal(unwrapSequence(65535, 0), -1);
  t.equal(unwrapSequence(10, 131072 + 65530), 131072 + 65536 + 10);
  t.equal(unwrapSequence(32767, 0), 32767);
  t.equal(unwrapSequence(32768, 0), -32768);
});

t.test('in order: playout starts after targetDepth packets and keeps the order', async (t) => {
  const jb = buffer(3);
  push(jb, 100, 101);
  t.same(drain(jb, 2), ['empty', 'empty'], 'waiting for targetDepth');
  t.equal(jb.depth, 2);
  push(jb, 102);
  t.same(drain(jb, 1), ['p100']);
  for (let s = 103; s < 110; s++) {
    push(jb, s);
    t.equal(describe(jb.pop()), `p${s - 2}`);
  }
  t.equal(jb.depth, 2);
  t.match(jb.stats, { received: 10, played: 8, lost: 0, late: 0, duplicates: 0, reordered: 0, overflow: 0 });
});

t.test('reordered packets come out in sequence order, including before playout starts', async (t) => {
  const jb = buffer(3);
  push(jb, 11, 10, 13, 12);
  t.same(drain(jb, 4), ['p10', 'p11', 'p12', 'p13']);
  push(jb, 16, 15, 14);
  t.same(drain(jb, 3), ['p14', 'p15', 'p16']);
  t.equal(jb.stats.reordered, 4, '10, 12, 15 and 14 arrived after a later one');
});

t.test('duplicates are dropped and counted, while buffered and after playing', async (t) => {
  const jb = buffer(2);
  push(jb, 1, 1, 2, 2, 1);
  t.equal(jb.depth, 2);
  t.same(drain(jb, 2), ['p1', 'p2']);
  push(jb, 2, 1);
  t.same(drain(jb, 1), ['empty']);
  t.match(jb.stats, { received: 7, played: 2, duplicates: 5, late: 0 });
});

t.test('loss: a gap with later packets buffered is reported lost, in its turn', async (t) => {
  const jb = buffer(3);
  push(jb, 1, 2, 4, 5, 7, 8);
  t.same(drain(jb, 8), ['p1', 'p2', 'lost 3', 'p4', 'p5', 'lost 6', 'p7', 'p8']);
  t.match(jb.stats, { played: 6, lost: 2 });
});

t.test('late arrivals after their slot was concealed are dropped and counted', async (t) => {
  const jb = buffer(2);
  push(jb, 1, 3, 4);
  t.same(drain(jb, 2), ['p1', 'lost 2']);
  push(jb, 2);
  t.same(drain(jb, 2), ['p3', 'p4']);
  push(jb, 1);
  t.match(jb.stats, { late: 1, lost: 1, played: 3, duplicates: 1 });
});

t.test('running dry: pop says empty and playout waits for targetDepth again (no loss reported)', async (t) => {
  const jb = buffer(2);
  push(jb, 1, 2);
  t.same(drain(jb, 3), ['p1', 'p2', 'empty']);
  push(jb, 3);
  t.same(drain(jb, 1), ['empty'], 're-buffering');
  push(jb, 4);
  t.same(drain(jb, 3), ['p3', 'p4', 'empty']);
  t.equal(jb.stats.lost, 0);
});

t.test('wraparound at 65535 -> 0, in order and reordered across it', async (t) => {
  const jb = buffer(3);
  push(jb, 65533, 65534, 65535, 0, 1);
  t.same(drain(jb, 5), ['p65533', 'p65534', 'p65535', 'p0', 'p1']);
  const reordered = buffer(3);
  push(reordered, 0, 65535, 1, 65534, 3);
  t.same(drain(reordered, 5), ['p65534', 'p65535', 'p0', 'p1', 'lost 2']);
  t.same(drain(reordered, 1), ['p3']);
  push(reordered, 65535);
  t.equal(reordered.stats.duplicates, 1, 'a copy of 65535 after the wrap is known as played');
  let s = 65000;
  const long = buffer(2);
  const seen: string[] = [];
  for (let i = 0; i < 2000; i++, s = (s + 1) & 0xffff) {
    push(long, s);
    seen.push(describe(long.pop()));
  }
  t.equal(seen.filter((x) => x.startsWith('p')).length, 1999, 'a long run across the wrap plays every packet');
  t.equal(long.stats.lost + long.stats.late + long.stats.overflow, 0);
});

t.test('overflow: above maxDepth the oldest are dropped and counted', async (t) => {
  const jb = buffer(3, 5);
  push(jb, 1, 2, 3, 4, 5);
  t.equal(jb.depth, 5);
  push(jb, 6, 7);
  t.equal(jb.depth, 5);
  t.equal(jb.stats.overflow, 2);
  t.same(drain(jb, 5), ['p3', 'p4', 'p5', 'p6', 'p7']);
  push(jb, 2);
  t.equal(jb.stats.late, 1, 'a dropped packet arriving again is late');

  const jump = buffer(2, 5);
  push(jump, 1, 2, 20, 21);
  t.match(jump.stats, { overflow: 2, lost: 14 }, 'a jump ahead drops 1 and 2 and skips 3..16 as lost');
  t.same(drain(jump, 5), ['lost 17', 'lost 18', 'lost 19', 'p20', 'p21'], 'the window is the last maxDepth numbers');
  t.match(jump.stats, { lost: 17 });

  const early = buffer(3, 5);
  push(early, 10, 11, 12, 13, 14, 8);
  t.equal(early.stats.overflow, 1, 'an earlier packet that does not fit the window before playout');
  t.same(drain(early, 1), ['p10']);
});

t.test('a sender restart (a far sequence jump, confirmed by the next packet) resyncs the buffer', async (t) => {
  const jb = buffer(2);
  push(jb, 100, 101, 102);
  t.same(drain(jb, 1), ['p100']);
  push(jb, 40000);
  t.match(jb.stats, { late: 1 }, 'a lone stray is dropped');
  push(jb, 103);
  t.same(drain(jb, 2), ['p101', 'p102']);
  push(jb, 40000, 40001, 40002);
  t.equal(jb.stats.overflow, 1, 'the old packet still buffered is dropped');
  t.same(drain(jb, 2), ['p40001', 'p40002']);
  push(jb, 5, 6, 7);
  t.same(drain(jb, 2), ['p6', 'p7'], 'restart to a lower sequence number too');
});

t.test('stats add up: every packet received is played, dropped or still held', async (t) => {
  const jb = buffer(3, 10);
  let state = 12345;
  const random = () => ((state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const sequences: number[] = [];
  for (let s = 65400; s < 65400 + 1000; s++) {
    if (random() < 0.05) continue;
    sequences.push(s & 0xffff);
    if (random() < 0.05) sequences.push(s & 0xffff);
  }
  for (let i = 0; i < sequences.length - 1; i++) {
    if (random() < 0.1) [sequences[i], sequences[i + 1]] = [sequences[i + 1]!, sequences[i]!];
  }
  for (let i = 0; i < sequences.length; i++) {
    push(jb, sequences[i]!);
    if (i % 20 !== 7) jb.pop();
  }
  const s = jb.stats;
  t.equal(s.received, sequences.length);
  t.equal(s.played + s.duplicates + s.late + s.overflow + jb.depth, s.received, JSON.stringify({ ...s, depth: jb.depth }));
  t.ok(s.lost > 30 && s.duplicates > 30 && s.reordered > 30, 'every kind of event happened');
});

t.test('reset drops packets and sequence state, keeps stats', async (t) => {
  const jb = buffer(2);
  push(jb, 1, 2, 3);
  t.same(drain(jb, 1), ['p1']);
  jb.reset();
  t.equal(jb.depth, 0);
  t.same(drain(jb, 1), ['empty']);
  push(jb, 9000, 9001);
  t.same(drain(jb, 2), ['p9000', 'p9001'], 'a new stream starts without resync or late counts');
  t.match(jb.stats, { received: 5, played: 3, late: 0 });
});

t.test('pop results are reused objects, not one per call', async (t) => {
  const jb = buffer(1);
  push(jb, 1, 3);
  const first = jb.pop();
  const lost = jb.pop();
  t.equal(lost.kind, 'lost');
  t.equal(jb.pop(), first, 'the packet result is one object, reused');
  t.equal(jb.pop(), jb.pop(), 'the empty result too');
});

t.test('a lost packet drives the codec to conceal it', async (t) => {
  class FakeCodec implements AudioCodec {
    readonly name = 'fake';
    readonly sampleRate = 8000;
    readonly calls: string[] = [];
    private readonly frame = audioFrame(new Int16Array(160), 8000);
    encode(): Uint8Array {
      return new Uint8Array(160);
    }
    decode(payload: Uint8Array, timestamp: number): AudioFrame {
      this.calls.push(`decode ${payload[0]} @${timestamp}`);
      return this.frame;
    }
    conceal(timestamp: number): AudioFrame {
      this.calls.push(`conceal @${timestamp}`);
      return this.frame;
    }
    close(): void {}
  }
  const codec = new FakeCodec();
  const jb = new RtpJitterBuffer<Uint8Array>({ targetDepth: 2, maxDepth: 10 });
  for (const sequence of [7, 8, 10, 11]) jb.push({ sequence, timestamp: sequence * 160, payload: Uint8Array.of(sequence) });
  // The transport's tick: decode what arrived, conceal what did not, 20 ms per tick.
  for (let tick = 0; tick < 5; tick++) {
    const result = jb.pop();
    if (result.kind === 'packet') codec.decode(result.packet.payload, tick * 20);
    else if (result.kind === 'lost') codec.conceal(tick * 20);
  }
  t.same(codec.calls, ['decode 7 @0', 'decode 8 @20', 'conceal @40', 'decode 10 @60', 'decode 11 @80']);
});

t.test('plugin: registers the default factory; options and per-buffer overrides are checked', async (t) => {
  const h = await setupPlugin(plugin, { options: { targetDepth: 2 } });
  const factory = h.registry(stageRefs.jitterBuffers).get('default')!;
  t.equal(factory.name, 'default');
  t.equal(h.registry(stageRefs.jitterBuffers).providerOf('default'), 'stage-jitter-buffer');
  const jb = factory.create<string>();
  push(jb, 1, 2);
  t.same(drain(jb, 1), ['p1'], 'targetDepth 2 from the options');
  const deep = factory.create<string>({ targetDepth: 4 });
  push(deep, 1, 2, 3);
  t.same(drain(deep, 1), ['empty'], 'overridden per buffer');
  t.throws(() => factory.create({ targetDepth: 30, maxDepth: 10 }), { code: 'VAPI_ERR_JITTER_OPTIONS', category: 'invalid_request' });
  t.throws(() => factory.create({ targetDepth: 0 }), { code: 'VAPI_ERR_JITTER_OPTIONS' });
  await t.rejects(setupPlugin(plugin, { options: { targetDepth: 10, maxDepth: 5 } }), { code: 'VAPI_ERR_JITTER_OPTIONS' });
  t.match((await setupPlugin(plugin)).options, { targetDepth: 3, maxDepth: 25 });
});
