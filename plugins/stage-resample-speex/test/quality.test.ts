/** Audio quality: a tone survives 8k→16k→8k, and frame-by-frame streaming is seamless. */
import t from 'tap';
import { SAMPLE_RATES, concatPcm, samplesPerFrame, sineWave, snrDb, whiteNoise, zeroCrossingFrequency } from '@vapi-cn/sdk-plugin-api';
import { DEFAULT_QUALITY, SpeexResampler } from '../src/index.js';
import { findDelay, maxDifference, ratePairs, resampleWhole, speexFactory, stream, streamFrames } from './helpers.js';

const factory = await speexFactory();

/** 8k → 16k → 8k through two fresh streaming resamplers. */
function roundTrip(signal: Int16Array): { out: Int16Array; reportedDelay: number } {
  const up = factory.create({ inputRate: 8000, outputRate: 16000 }) as SpeexResampler;
  const down = factory.create({ inputRate: 16000, outputRate: 8000 }) as SpeexResampler;
  const out = stream(down, stream(up, signal, 8000), 16000);
  return { out, reportedDelay: up.delaySamples / 2 + down.delaySamples };
}

t.test('a tone through 8k → 16k → 8k keeps its frequency, SNR ≥ 40 dB once aligned', async (t) => {
  // A tone's cross-correlation peaks once per period, so the chain's delay is measured with
  // broadband noise, whose correlation has a single peak; it must match what Speex reports.
  const probe = whiteNoise(8000, 1000, 0.3, 7);
  const delay = findDelay(probe, roundTrip(probe).out, 800);
  t.equal(delay, roundTrip(probe).reportedDelay, `cross-correlation delay ${delay} samples = the filters' reported latency`);
  t.ok(delay > 0 && delay < 8000 * 0.03, `round trip delays ${delay / 8} ms`);

  for (const hz of [100, 440, 1000, 3000]) {
    const tone = sineWave(hz, 8000, 2000, 0.5);
    const { out } = roundTrip(tone);
    const aligned = out.subarray(delay);
    const reference = tone.subarray(0, aligned.length);
    const snr = snrDb(reference, aligned);
    t.ok(snr >= 40, `${hz} Hz: SNR ${snr.toFixed(1)} dB ≥ 40`);
    const measured = zeroCrossingFrequency(aligned, 8000);
    t.ok(Math.abs(measured - hz) <= hz * 0.005 + 1, `${hz} Hz: zero crossings say ${measured.toFixed(1)} Hz`);
  }
});

t.test('streaming frame by frame equals one whole-buffer Speex call, for every rate pair', async (t) => {
  for (const [inRate, outRate] of ratePairs(SAMPLE_RATES)) {
    const signal = concatPcm([sineWave(700, inRate, 1000, 0.4), whiteNoise(inRate, 1000, 0.2, inRate)]);
    const streamed = stream(factory.create({ inputRate: inRate, outputRate: outRate }), signal, inRate);
    const whole = await resampleWhole(signal, inRate, outRate, DEFAULT_QUALITY);
    t.equal(whole.length, streamed.length, `${inRate} → ${outRate}: same length`);
    t.ok(maxDifference(streamed, whole) <= 1, `${inRate} → ${outRate}: within ±1 LSB (max ${maxDifference(streamed, whole)})`);
  }
});

t.test('no jump at a frame boundary is steeper than the tone itself', async (t) => {
  const amplitude = 0.8;
  const hz = 1000;
  for (const [inRate, outRate] of [[8000, 16000], [16000, 8000], [24000, 8000], [22050, 16000], [44100, 48000], [48000, 22050]] as const) {
    const frames = streamFrames(factory.create({ inputRate: inRate, outputRate: outRate }), sineWave(hz, inRate, 2000, amplitude), inRate);
    // The steepest step a sampled sine takes between two samples, plus 1% for passband ripple.
    const maxSlope = 2 * amplitude * 32767 * Math.sin((Math.PI * hz) / outRate) * 1.01 + 2;
    let worst = 0;
    for (let f = 1; f < frames.length; f++) worst = Math.max(worst, Math.abs(frames[f]![0]! - frames[f - 1]!.at(-1)!));
    t.ok(worst <= maxSlope, `${inRate} → ${outRate}: largest boundary step ${worst} ≤ ${maxSlope.toFixed(0)}`);
    t.equal(frames[10]!.length, samplesPerFrame(outRate));
  }
});
