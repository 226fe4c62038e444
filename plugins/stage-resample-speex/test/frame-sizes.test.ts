/** Every 20 ms frame in gives exactly one 20 ms frame out, with the input's timestamp. */
import t from 'tap';
import { SAMPLE_RATES, audioFrame, samplesPerFrame, sineWave } from '@vapi-cn/sdk-plugin-api';
import { speexFactory } from './helpers.js';

const factory = await speexFactory();

t.test('every rate pair, 100 frames: exact sizes, output rate, input timestamps', async (t) => {
  for (const inRate of SAMPLE_RATES) {
    for (const outRate of SAMPLE_RATES) {
      const resampler = factory.create({ inputRate: inRate, outputRate: outRate });
      const inSize = samplesPerFrame(inRate);
      const signal = sineWave(440, inRate, 2000, 0.5);
      let wrong = 0;
      for (let f = 0; f < 100; f++) {
        const timestamp = 1_000_000 + f * 20;
        const out = resampler.process(audioFrame(signal.slice(f * inSize, (f + 1) * inSize), inRate, timestamp));
        if (!out || out.samples.length !== samplesPerFrame(outRate) || out.sampleRate !== outRate || out.timestamp !== timestamp) wrong++;
      }
      t.equal(wrong, 0, `${inRate} → ${outRate}: 100 frames of ${samplesPerFrame(outRate)} samples`);
      resampler.close();
    }
  }
  t.equal(samplesPerFrame(22050), 441);
  t.equal(samplesPerFrame(44100), 882);
});

t.test('equal rates pass the very frame through', async (t) => {
  const resampler = factory.create({ inputRate: 16000, outputRate: 16000 });
  const frame = audioFrame(sineWave(440, 16000, 20), 16000, 40);
  t.equal(resampler.process(frame), frame);
});

t.test('the output frame is reused: a copy is needed to keep it', async (t) => {
  const resampler = factory.create({ inputRate: 8000, outputRate: 16000 });
  const first = resampler.process(audioFrame(sineWave(440, 8000, 20), 8000, 0))!;
  const second = resampler.process(audioFrame(sineWave(440, 8000, 20), 8000, 20))!;
  t.equal(first, second, 'same AudioFrame object');
  t.equal(first.samples, second.samples, 'same samples buffer');
});
