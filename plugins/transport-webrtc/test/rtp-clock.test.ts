import t from 'tap';
import { isDigitalSilence, RtpClock, TICKS_PER_FRAME } from '../src/rtp-clock.js';

const copy = (clock: RtpClock, ms: number, silent = false) => ({ ...clock.next(ms, silent) });

t.test('back-to-back frames: sequence +1, timestamp +960, marker only on the first', async (t) => {
  const clock = new RtpClock();
  const first = copy(clock, 1000);
  t.ok(first.marker, 'marker on the first packet');
  let previous = first;
  for (let i = 1; i < 100; i++) {
    const next = copy(clock, 1000 + i * 20);
    if (next.sequence !== ((previous.sequence + 1) & 0xffff)) t.fail(`sequence ${previous.sequence} -> ${next.sequence}`);
    if (((next.timestamp - previous.timestamp) >>> 0) !== TICKS_PER_FRAME) t.fail(`timestamp ${previous.timestamp} -> ${next.timestamp}`);
    if (next.marker) t.fail(`marker on packet ${i}`);
    if (next.sequence > 0xffff || next.timestamp > 0xffffffff || next.timestamp < 0) t.fail('out of range');
    previous = next;
  }
  t.pass('99 packets checked');
});

t.test('starts at random numbers', async (t) => {
  const starts = new Set(Array.from({ length: 5 }, () => new RtpClock().next(0, false).timestamp));
  t.ok(starts.size > 1);
});

t.test('a pause: the timestamp jumps by the frames skipped and the marker is set', async (t) => {
  const clock = new RtpClock();
  const a = copy(clock, 0);
  copy(clock, 20);
  const b = copy(clock, 240); // 220 ms (11 frames) after the previous one
  t.equal((b.timestamp - a.timestamp) >>> 0, 12 * TICKS_PER_FRAME, 'timestamp follows real time');
  t.equal(b.sequence, (a.sequence + 2) & 0xffff, 'sequence numbers stay contiguous');
  t.ok(b.marker);
  const c = copy(clock, 260);
  t.notOk(c.marker);
  t.equal((c.timestamp - b.timestamp) >>> 0, TICKS_PER_FRAME);
});

t.test('timer jitter below 2.5 frames is not a pause', async (t) => {
  const clock = new RtpClock();
  const a = copy(clock, 0);
  const b = copy(clock, 37);
  const c = copy(clock, 41);
  t.equal((b.timestamp - a.timestamp) >>> 0, TICKS_PER_FRAME);
  t.equal((c.timestamp - b.timestamp) >>> 0, TICKS_PER_FRAME);
  t.notOk(b.marker || c.marker);
});

t.test('frames without timestamps count as back to back', async (t) => {
  const clock = new RtpClock();
  const a = copy(clock, 0);
  for (let i = 1; i < 10; i++) {
    const p = copy(clock, 0);
    t.notOk(p.marker);
    t.equal((p.timestamp - a.timestamp) >>> 0, i * TICKS_PER_FRAME);
  }
});

t.test('marker on the first sound after digital silence', async (t) => {
  const clock = new RtpClock();
  copy(clock, 0, false);
  t.notOk(copy(clock, 20, true).marker, 'silence itself is not marked');
  t.notOk(copy(clock, 40, true).marker);
  t.ok(copy(clock, 60, false).marker, 'the talkspurt after it is');
  t.notOk(copy(clock, 80, false).marker);
});

t.test('isDigitalSilence', async (t) => {
  t.ok(isDigitalSilence(new Int16Array(960)));
  const pcm = new Int16Array(960);
  pcm[959] = 1;
  t.notOk(isDigitalSilence(pcm));
});
