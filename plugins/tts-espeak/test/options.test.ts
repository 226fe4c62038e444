/** Speed, pitch and the default voice: plugin options, and a call's speed on top. */
import t from 'tap';
import { ENGLISH, espeak, MANDARIN, sameRendering, speak } from './helpers.js';

/** Median fundamental frequency of the voiced 40 ms windows, by autocorrelation (60-400 Hz). */
function medianF0(samples: Int16Array, rate = 22050): number {
  const window = Math.round(rate * 0.04);
  const estimates: number[] = [];
  for (let start = 0; start + window <= samples.length; start += window) {
    let energy = 0;
    for (let i = start; i < start + window; i++) energy += samples[i]! * samples[i]!;
    if (Math.sqrt(energy / window) < 1000) continue;
    let best = 0;
    let bestLag = 0;
    for (let lag = Math.floor(rate / 400); lag <= Math.ceil(rate / 60); lag++) {
      let sum = 0;
      for (let i = start; i + lag < start + window; i++) sum += samples[i]! * samples[i + lag]!;
      if (sum > best) [best, bestLag] = [sum, lag];
    }
    if (bestLag) estimates.push(rate / bestLag);
  }
  return estimates.sort((a, b) => a - b)[Math.floor(estimates.length / 2)]!;
}

t.test("speed: the plugin's factor and a call's speed multiply", async (t) => {
  const normal = (await speak(await espeak(t), ENGLISH)).length;
  const speed2 = await espeak(t, { speed: 2 });
  const fast = (await speak(speed2, ENGLISH)).length;
  t.ok(fast / normal > 0.4 && fast / normal < 0.65, `speed 2: ${(fast / normal).toFixed(2)} of the duration`);
  const slowCall = (await speak(speed2, ENGLISH, { speed: 0.5 })).length;
  t.ok(Math.abs(slowCall / normal - 1) < 0.1, `speed 2 x call speed 0.5: ${(slowCall / normal).toFixed(2)}`);
});

t.test('pitch raises the voice', async (t) => {
  const low = medianF0(await speak(await espeak(t, { pitch: 10 }), ENGLISH));
  const high = medianF0(await speak(await espeak(t, { pitch: 90 }), ENGLISH));
  t.ok(high > low * 1.3, `F0 ${low.toFixed(0)} Hz at pitch 10, ${high.toFixed(0)} Hz at pitch 90`);
});

t.test('defaultVoice serves calls that name neither voice nor language', async (t) => {
  const tts = await espeak(t, { defaultVoice: 'cmn' });
  t.ok(sameRendering(await speak(tts, MANDARIN), await speak(tts, MANDARIN, { voice: 'cmn' })));
  t.notOk(sameRendering(await speak(tts, MANDARIN), await speak(tts, MANDARIN, { voice: 'en-us' })));
});
