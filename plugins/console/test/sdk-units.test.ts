/** The SDK's browser-free parts, imported directly: reconnect policy, resampler, conversation folding. */
import t from 'tap';
import { backoffDelay, isUnexpectedClose } from '../sdk/backoff.js';
import { ConversationLog } from '../sdk/conversation.js';
import { floatToPcm16, FrameChunker, pcm16ToFloat, rms, StreamResampler } from '../sdk/pcm.js';

t.test('backoff doubles from 0.5 s to 8 s; jitter only shortens', async (t) => {
  const delays = [1, 2, 3, 4, 5, 6, 9].map((attempt) => backoffDelay(attempt, { jitter: 0 }));
  t.same(delays, [500, 1000, 2000, 4000, 8000, 8000, 8000]);
  t.equal(backoffDelay(1, { jitter: 0.2 }, () => 1), 400, 'at most 20 % off');
  t.equal(backoffDelay(3, { initialDelayMs: 100, maxDelayMs: 300, jitter: 0 }), 300, 'capped');
});

t.test('only unexpected closes are reconnected', async (t) => {
  const open = { stopped: false, ended: false };
  t.ok(isUnexpectedClose(1006, open), '1006 (dropped, no close frame)');
  t.ok(isUnexpectedClose(1001, open), '1001 (going away)');
  t.ok(isUnexpectedClose(1011, open), '1011 (server error)');
  t.notOk(isUnexpectedClose(1000, open), '1000 (normal)');
  t.notOk(isUnexpectedClose(4000, open), '4000 (the call ended on the server)');
  t.notOk(isUnexpectedClose(4400, open), '4400 (bad start)');
  t.notOk(isUnexpectedClose(1006, { stopped: true, ended: false }), 'not after stop()');
  t.notOk(isUnexpectedClose(1006, { stopped: false, ended: true }), 'not after status: ended');
  t.ok(isUnexpectedClose(4001, { stopped: false, ended: true }), '4001 (WebRTC media lost), even after status: ended');
  t.notOk(isUnexpectedClose(4001, { stopped: true, ended: true }), 'but not after stop()');
});

/** Frequency from zero crossings. */
function hz(samples: Float32Array, rate: number): number {
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i - 1]! < 0 !== samples[i]! < 0) crossings++;
  return (crossings / 2) * (rate / samples.length);
}

t.test('the resampler takes 48 kHz to 16 kHz in chunks of any size, keeping pitch and level', async (t) => {
  const input = new Float32Array(48000);
  for (let i = 0; i < input.length; i++) input[i] = 0.5 * Math.sin((2 * Math.PI * 300 * i) / 48000);
  const streaming = new StreamResampler(48000, 16000);
  const pieces: Float32Array[] = [];
  for (let offset = 0, size = 1; offset < input.length; offset += size, size = (size * 7 + 3) % 997 || 1) {
    pieces.push(streaming.process(input.subarray(offset, offset + size)));
  }
  const out = new Float32Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const piece of pieces) out.set(piece, (at += piece.length) - piece.length);
  t.ok(Math.abs(out.length - 16000) <= 2, `about 16000 samples (${out.length})`);
  t.ok(Math.abs(hz(out, 16000) - 300) < 3, `300 Hz kept (${hz(out, 16000).toFixed(1)})`);
  t.ok(Math.abs(rms(out) - 0.5 / Math.SQRT2) < 0.02, `level kept (${rms(out).toFixed(3)})`);
  const whole = new StreamResampler(48000, 16000).process(input);
  t.same(Array.from(out.subarray(0, 15990)).map((v) => v.toFixed(5)), Array.from(whole.subarray(0, 15990)).map((v) => v.toFixed(5)), 'chunking changes nothing');

  const up = new StreamResampler(16000, 48000).process(out);
  t.ok(Math.abs(up.length - 3 * out.length) <= 4, 'and back up');
  t.ok(Math.abs(hz(up, 48000) - 300) < 3);
});

t.test('PCM16 conversions and 20 ms framing', async (t) => {
  const pcm = floatToPcm16(Float32Array.from([0, 1, -1, 2, -0.5]));
  t.same(Array.from(pcm), [0, 32767, -32768, 32767, -16384]);
  const back = pcm16ToFloat(pcm.buffer as ArrayBuffer);
  t.same(Array.from(back), [0, 32767 / 32768, -1, 32767 / 32768, -0.5]);
  const chunker = new FrameChunker(320);
  const frames: Int16Array[] = [];
  chunker.push(new Int16Array(500), (f) => frames.push(f));
  chunker.push(new Int16Array(500), (f) => frames.push(f));
  t.same(frames.map((f) => f.length), [320, 320, 320], '1000 samples: three frames, 40 left over');
});

t.test('the conversation log folds interim and final text into turns', async (t) => {
  const log = new ConversationLog();
  log.transcript({ role: 'user', text: 'hello', isFinal: false });
  let entries = log.transcript({ role: 'user', text: 'hello there', isFinal: true });
  t.same(entries.map((e) => [e.role, e.text, e.isFinal]), [['user', 'hello there', true]], 'interims replaced by the final');
  log.response({ text: 'Hello.', isFinal: false });
  entries = log.response({ text: 'How can I help?', isFinal: false });
  t.same(entries[1], { id: 2, role: 'assistant', text: 'Hello. How can I help?', isFinal: false }, 'sentences accumulate');
  const before = entries;
  log.transcript({ role: 'user', text: 'wait', isFinal: false });
  entries = log.response({ text: 'Hello.', isFinal: true });
  t.same(entries.map((e) => [e.role, e.text, e.isFinal]), [['user', 'hello there', true], ['assistant', 'Hello.', true], ['user', 'wait', false]], 'a barge-in cuts the bot turn to what was heard');
  t.not(entries, before, 'a new array per update');
  t.equal(entries[0], before[0], 'unchanged entries are kept as they were');
  log.response({ text: 'Sure', isFinal: false });
  entries = log.response({ text: '', isFinal: true });
  t.equal(entries.filter((e) => e.role === 'assistant').length, 1, 'a turn cut before a word was heard disappears');
  t.same(log.clear(), []);
});
