/** codec-g711: G.711 µ-law (`pcmu`) and A-law (`pcma`) at 8 kHz, table based. */
import { definePlugin, stageRefs } from '@vapi-cn/sdk-plugin-api';
import { ALAW } from './alaw.js';
import { g711Factory } from './g711-codec.js';
import { MULAW } from './mulaw.js';

export { G711Codec, g711Factory } from './g711-codec.js';
export { MULAW } from './mulaw.js';
export { ALAW } from './alaw.js';
export type { G711Tables } from './g711-tables.js';

export default definePlugin({
  id: 'codec-g711',
  version: '1.0.0',
  apiVersion: '^1.0.0',
  description: 'G.711 µ-law (PCMU) and A-law (PCMA) codecs, 8 kHz, table based',
  provides: [stageRefs.codecs],
  setup(ctx) {
    ctx.provide(stageRefs.codecs, 'pcmu', g711Factory('pcmu', MULAW));
    ctx.provide(stageRefs.codecs, 'pcma', g711Factory('pcma', ALAW));
  },
});
