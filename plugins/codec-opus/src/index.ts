/** codec-opus: Opus (`opus`) at 8-48 kHz, mono, 20 ms frames, through @evan/opus. */
import { definePlugin, stageRefs } from '@vapi-cn/sdk-plugin-api';
import { opusFactory } from './opus-codec.js';
import { OpusOptions } from './options.js';

export { OpusCodec, opusFactory, OPUS_SAMPLE_RATES } from './opus-codec.js';
export { OpusOptions } from './options.js';

export default definePlugin({
  id: 'codec-opus',
  version: '1.0.0',
  apiVersion: '^1.0.0',
  description: 'Opus codec at 8-48 kHz, mono, 20 ms frames (@evan/opus, native with a wasm fallback)',
  configSchema: OpusOptions,
  provides: [stageRefs.codecs],
  setup(ctx, options) {
    ctx.provide(stageRefs.codecs, 'opus', opusFactory(options));
  },
});
