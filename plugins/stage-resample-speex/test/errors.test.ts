/** Bad frames are bad_input; bad create() options are invalid_request with a fix. Nothing crashes. */
import t from 'tap';
import { audioFrame, isVapiError, sineWave, type AudioFrame, type ResamplerOptions } from '@vapi-cn/sdk-plugin-api';
import { speexFactory } from './helpers.js';

const factory = await speexFactory();

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

t.test('bad frames throw bad_input VapiErrors, on resampling and pass-through stages alike', async (t) => {
  for (const [inputRate, outputRate] of [[16000, 8000], [22050, 48000], [16000, 16000]] as const) {
    const resampler = factory.create({ inputRate, outputRate });
    const size = inputRate / 50;
    const cases: Array<[string, unknown, string]> = [
      ['wrong sample rate', audioFrame(new Int16Array(size), 24000, 0), 'VAPI_ERR_RESAMPLE_SAMPLE_RATE'],
      ['10 ms frame', audioFrame(new Int16Array(size / 2), inputRate, 0), 'VAPI_ERR_RESAMPLE_FRAME_SIZE'],
      ['30 ms frame', audioFrame(new Int16Array((size * 3) / 2), inputRate, 0), 'VAPI_ERR_RESAMPLE_FRAME_SIZE'],
      ['one sample over', audioFrame(new Int16Array(size + 1), inputRate, 0), 'VAPI_ERR_RESAMPLE_FRAME_SIZE'],
      ['empty frame', audioFrame(new Int16Array(0), inputRate, 0), 'VAPI_ERR_RESAMPLE_EMPTY_FRAME'],
      ['no samples', { kind: 'audio', sampleRate: inputRate, timestamp: 0 }, 'VAPI_ERR_RESAMPLE_EMPTY_FRAME'],
      ['null frame', null, 'VAPI_ERR_RESAMPLE_EMPTY_FRAME'],
      ['undefined frame', undefined, 'VAPI_ERR_RESAMPLE_EMPTY_FRAME'],
      ['float samples', { kind: 'audio', samples: new Float32Array(size), sampleRate: inputRate, timestamp: 0 }, 'VAPI_ERR_RESAMPLE_FORMAT'],
      ['bytes', { kind: 'audio', samples: new Uint8Array(size * 2), sampleRate: inputRate, timestamp: 0 }, 'VAPI_ERR_RESAMPLE_FORMAT'],
    ];
    for (const [what, frame, code] of cases) {
      const error = thrown(() => resampler.process(frame as AudioFrame));
      t.ok(isVapiError(error), `${inputRate} → ${outputRate}, ${what}: a VapiError`);
      t.match(error, { code, category: 'bad_input', retryable: false, fix: /\w/ }, `${what}: ${code}`);
    }
    t.ok(resampler.process(audioFrame(sineWave(440, inputRate, 20), inputRate, 0)), 'still works after bad frames');
  }
  const error = thrown(() => factory.create({ inputRate: 16000, outputRate: 8000 }).process(audioFrame(new Int16Array(320), 8000, 0)));
  t.match(error, { message: /expects 16000 Hz frames, got 8000 Hz/ });
});

t.test('unsupported rates and qualities in create() are invalid_request with a fix', async (t) => {
  const cases: Array<[string, unknown, string, RegExp]> = [
    ['11.025 kHz input', { inputRate: 11025, outputRate: 16000 }, 'VAPI_ERR_RESAMPLE_UNSUPPORTED_RATE', /inputRate to one of 8000, 16000/],
    ['96 kHz output', { inputRate: 16000, outputRate: 96000 }, 'VAPI_ERR_RESAMPLE_UNSUPPORTED_RATE', /outputRate/],
    ['zero rate', { inputRate: 0, outputRate: 16000 }, 'VAPI_ERR_RESAMPLE_UNSUPPORTED_RATE', /inputRate/],
    ['NaN rate', { inputRate: 16000, outputRate: NaN }, 'VAPI_ERR_RESAMPLE_UNSUPPORTED_RATE', /outputRate/],
    ['string rate', { inputRate: '16000', outputRate: 8000 }, 'VAPI_ERR_RESAMPLE_UNSUPPORTED_RATE', /inputRate/],
    ['no rates', {}, 'VAPI_ERR_RESAMPLE_UNSUPPORTED_RATE', /inputRate/],
    ['no options', undefined, 'VAPI_ERR_RESAMPLE_UNSUPPORTED_RATE', /inputRate/],
    ['quality -1', { inputRate: 8000, outputRate: 16000, quality: -1 }, 'VAPI_ERR_RESAMPLE_QUALITY', /0 \(fastest\) to 10/],
    ['quality 11', { inputRate: 8000, outputRate: 16000, quality: 11 }, 'VAPI_ERR_RESAMPLE_QUALITY', /0 \(fastest\) to 10/],
    ['quality 2.5', { inputRate: 8000, outputRate: 16000, quality: 2.5 }, 'VAPI_ERR_RESAMPLE_QUALITY', /integer/],
    ['quality NaN', { inputRate: 8000, outputRate: 16000, quality: NaN }, 'VAPI_ERR_RESAMPLE_QUALITY', /integer/],
    ['quality 11, equal rates', { inputRate: 8000, outputRate: 8000, quality: 11 }, 'VAPI_ERR_RESAMPLE_QUALITY', /integer/],
  ];
  for (const [what, options, code, fix] of cases) {
    const error = thrown(() => factory.create(options as ResamplerOptions));
    t.ok(isVapiError(error), `${what}: a VapiError`);
    t.match(error, { code, category: 'invalid_request', retryable: false, fix }, `${what}: ${code}`);
  }
  t.match(thrown(() => factory.create({ inputRate: 11025, outputRate: 16000 })), { cause: { code: 'VAPI_ERR_AUDIO_SAMPLE_RATE' } }, 'keeps the SDK check as cause');
  for (const quality of [0, 10]) t.ok(factory.create({ inputRate: 8000, outputRate: 16000, quality }), `quality ${quality} is fine`);
});
