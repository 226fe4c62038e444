/** codec-l16: linear PCM16 in network byte order (`l16`) at any of the server's sample rates. */
import { definePlugin, stageRefs } from '@vapi-cn/sdk-plugin-api';
import { l16Factory } from './l16-codec.js';

export { L16Codec, l16Factory } from './l16-codec.js';

export default definePlugin({
  id: 'codec-l16',
  version: '1.0.0',
  apiVersion: '^1.0.0',
  description: 'L16: linear PCM16, big-endian (RFC 3551), at 8-48 kHz',
  provides: [stageRefs.codecs],
  setup(ctx) {
    ctx.provide(stageRefs.codecs, 'l16', l16Factory);
  },
});
