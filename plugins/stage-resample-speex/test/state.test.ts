/** Each resampler has its own state; reset() starts over; close() frees and is final. */
import t from 'tap';
import { audioFrame, isVapiError, sineWave, whiteNoise } from '@vapi-cn/sdk-plugin-api';
import { loadSpeex, type SpeexResampler } from '../src/index.js';
import { maxDifference, speexFactory, stream } from './helpers.js';

const factory = await speexFactory();
const frameOf = (signal: Int16Array, rate: number, f: number) => {
  const n = rate / 50;
  return audioFrame(signal.slice(f * n, (f + 1) * n), rate, f * 20);
};

t.test('two instances fed interleaved give what each gives alone', async (t) => {
  for (const [rateA, outA, rateB, outB] of [[8000, 16000, 8000, 16000], [24000, 8000, 48000, 16000], [22050, 16000, 22050, 16000]] as const) {
    const a = sineWave(300, rateA, 1000, 0.6);
    const b = whiteNoise(rateB, 1000, 0.3, 3);
    const aloneA = stream(factory.create({ inputRate: rateA, outputRate: outA }), a, rateA);
    const aloneB = stream(factory.create({ inputRate: rateB, outputRate: outB }), b, rateB);
    const ra = factory.create({ inputRate: rateA, outputRate: outA });
    const rb = factory.create({ inputRate: rateB, outputRate: outB });
    const outsA: Int16Array[] = [];
    const outsB: Int16Array[] = [];
    for (let f = 0; f < 50; f++) {
      outsA.push(ra.process(frameOf(a, rateA, f))!.samples.slice());
      outsB.push(rb.process(frameOf(b, rateB, f))!.samples.slice());
    }
    t.same(Int16Array.from(outsA.flatMap((x) => [...x])), aloneA, `${rateA} → ${outA} interleaved = alone`);
    t.same(Int16Array.from(outsB.flatMap((x) => [...x])), aloneB, `${rateB} → ${outB} interleaved = alone`);
  }
});

t.test('streams survive the wasm heap growing under them', async (t) => {
  const api = await loadSpeex();
  const signal = sineWave(440, 48000, 1000, 0.5);
  const alone = stream(factory.create({ inputRate: 48000, outputRate: 44100 }), signal, 48000);
  const resampler = factory.create({ inputRate: 48000, outputRate: 44100 });
  const before = api.heap().byteLength;
  const others: SpeexResampler[] = [];
  const outs: number[] = [];
  for (let f = 0; f < 50; f++) {
    // Big filters (44.1k ↔ 48k at quality 10) between frames, until the heap has grown.
    for (let i = 0; i < 20 && api.heap().byteLength === before; i++) {
      others.push(factory.create({ inputRate: 44100, outputRate: 48000, quality: 10 }) as SpeexResampler);
    }
    outs.push(...resampler.process(frameOf(signal, 48000, f))!.samples);
  }
  t.ok(api.heap().byteLength > before, `heap grew ${before} → ${api.heap().byteLength} bytes`);
  t.same(Int16Array.from(outs), alone, 'output unchanged');
  for (const other of others) other.close();
});

t.test('reset() starts a new stream, as on a fresh instance', async (t) => {
  const first = whiteNoise(16000, 500, 0.4, 1);
  const second = sineWave(500, 16000, 500, 0.5);
  const fresh = stream(factory.create({ inputRate: 16000, outputRate: 8000 }), second, 16000);
  const resampler = factory.create({ inputRate: 16000, outputRate: 8000 });
  stream(resampler, first, 16000);
  resampler.reset();
  t.same(stream(resampler, second, 16000), fresh);
  resampler.reset();
  resampler.reset();
  t.same(stream(resampler, second, 16000), fresh, 'reset twice is the same as once');
  const same = factory.create({ inputRate: 16000, outputRate: 16000 });
  same.reset();
  t.ok(same.process(frameOf(second, 16000, 0)));
});

t.test('close() is idempotent; process() afterwards throws, reset() does nothing', async (t) => {
  for (const [inputRate, outputRate] of [[8000, 16000], [16000, 16000]] as const) {
    const resampler = factory.create({ inputRate, outputRate });
    resampler.process(frameOf(sineWave(440, inputRate, 20), inputRate, 0));
    resampler.close();
    resampler.close();
    t.doesNotThrow(() => resampler.reset());
    let error: unknown;
    try {
      resampler.process(frameOf(sineWave(440, inputRate, 20), inputRate, 0));
    } catch (e) {
      error = e;
    }
    t.ok(isVapiError(error), `${inputRate} → ${outputRate}: a VapiError`);
    t.match(error, { code: 'VAPI_ERR_RESAMPLE_CLOSED', category: 'invalid_request', fix: /create a new/ });
  }
});

t.test('close() frees the wasm memory: create/close cycles do not grow the heap', async (t) => {
  const api = await loadSpeex();
  const cycle = () => {
    for (let i = 0; i < 200; i++) {
      const r = factory.create({ inputRate: 44100, outputRate: 48000, quality: 10 });
      r.process(frameOf(sineWave(440, 44100, 20), 44100, 0));
      r.close();
    }
  };
  cycle();
  const size = api.heap().byteLength;
  cycle();
  cycle();
  t.equal(api.heap().byteLength, size);
});

t.test('a bad frame leaves the stream intact', async (t) => {
  const signal = sineWave(440, 8000, 200, 0.5);
  const clean = stream(factory.create({ inputRate: 8000, outputRate: 16000 }), signal, 8000);
  const resampler = factory.create({ inputRate: 8000, outputRate: 16000 });
  const outs: number[] = [];
  for (let f = 0; f < 10; f++) {
    t.throws(() => resampler.process(audioFrame(new Int16Array(100), 8000, 0)));
    outs.push(...resampler.process(frameOf(signal, 8000, f))!.samples);
  }
  t.equal(maxDifference(Int16Array.from(outs), clean), 0);
});
