/**
 * stage-jitter-buffer: the `default` inbound jitter buffer for RTP-fed transports (reordering,
 * duplicates, late packets, loss reporting for concealment).
 */
import { definePlugin, stageRefs, Type } from '@vapi-cn/sdk-plugin-api';
import { rtpJitterBufferFactory } from './jitter-buffer-factory.js';

export { RtpJitterBuffer, jitterBufferSettings } from './jitter-buffer.js';
export { rtpJitterBufferFactory } from './jitter-buffer-factory.js';
export { unwrapSequence } from './sequence.js';

const Options = Type.Object(
  {
    targetDepth: Type.Integer({ minimum: 1, maximum: 50, default: 3, description: 'Packets held before playout starts (20 ms each)' }),
    maxDepth: Type.Integer({ minimum: 1, maximum: 500, default: 25, description: 'Sequence numbers held at most; older packets are dropped' }),
  },
  { additionalProperties: false },
);

export default definePlugin({
  id: 'stage-jitter-buffer',
  version: '1.0.0',
  apiVersion: '^1.0.0',
  description: 'Inbound jitter buffer: reordering, duplicates, loss detection for RTP-fed transports',
  configSchema: Options,
  provides: [stageRefs.jitterBuffers],
  setup(ctx, options) {
    ctx.provide(stageRefs.jitterBuffers, 'default', rtpJitterBufferFactory(options));
  },
});
