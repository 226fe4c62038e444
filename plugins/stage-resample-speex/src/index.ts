/**
 * stage-resample-speex: the `speex` resampler (stageRefs.resamplers), streaming sample-rate
 * conversion between any two of 8, 16, 22.05, 24, 32, 44.1 and 48 kHz on the Speex resampler
 * compiled to wasm (SIMD). The wasm is instantiated once in setup(); create() is synchronous.
 */
import { definePlugin, stageRefs, Type } from '@vapi-cn/sdk-plugin-api';
import { loadSpeex } from './speex-module.js';
import { DEFAULT_QUALITY, MAX_QUALITY, MIN_QUALITY, SpeexResamplerFactory } from './resampler-factory.js';

export { DEFAULT_QUALITY, MAX_QUALITY, MIN_QUALITY, SpeexResamplerFactory } from './resampler-factory.js';
export { SpeexResampler } from './speex-resampler.js';
export { PassThroughResampler } from './pass-through.js';
export { loadSpeex, type SpeexApi } from './speex-module.js';

const Options = Type.Object(
  {
    quality: Type.Integer({
      minimum: MIN_QUALITY,
      maximum: MAX_QUALITY,
      default: DEFAULT_QUALITY,
      description: 'Speex quality, 0 (fastest) .. 10 (best); a resampler created with its own quality overrides it',
    }),
  },
  { additionalProperties: false },
);

export default definePlugin({
  id: 'stage-resample-speex',
  version: '1.0.0',
  apiVersion: '^1.0.0',
  description: 'Streaming resampler on the Speex resampler (wasm, SIMD)',
  configSchema: Options,
  provides: [stageRefs.resamplers],
  async setup(ctx, options) {
    const api = await loadSpeex();
    ctx.provide(stageRefs.resamplers, 'speex', new SpeexResamplerFactory(api, options.quality));
    ctx.log.debug({ quality: options.quality }, 'speex resampler ready');
  },
});
