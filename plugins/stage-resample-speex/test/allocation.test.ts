/**
 * The hot path allocates nothing per frame. Heap growth over a synchronous loop is deterministic
 * enough for a unit test; GC counts are not (a collection can be due from earlier work), so they
 * are reported by bench:media instead.
 */
import t from 'tap';
import { audioFrame, sineWave } from '@vapi-cn/sdk-plugin-api';
import { speexFactory } from './helpers.js';

const factory = await speexFactory();

t.test('process() allocates nothing per frame', async (t) => {
  const FRAMES = 20_000;
  for (const [inputRate, outputRate] of [[8000, 16000], [24000, 8000], [22050, 44100]] as const) {
    const resampler = factory.create({ inputRate, outputRate });
    const frame = audioFrame(sineWave(440, inputRate, 20, 0.5), inputRate, 0);
    for (let i = 0; i < 2000; i++) resampler.process(frame); // warm up the JIT
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < FRAMES; i++) resampler.process(frame);
    const grown = process.memoryUsage().heapUsed - heapBefore;
    // One small object per frame would be ≥ 16 bytes × FRAMES = 320 kB, well inside a young
    // generation, so it shows here; bench:media also counts GCs over a longer run.
    t.ok(grown < FRAMES * 4, `${inputRate} → ${outputRate}: heap grew ${grown} bytes over ${FRAMES} frames`);
    resampler.close();
  }
});
