/**
 * stage-pacer: the `default` outbound pacer. Bot audio leaves at real time, one 20 ms frame per
 * tick, drift-corrected against the monotonic clock, and flush() takes back what is queued.
 */
import { coreRefs, definePlugin, stageRefs, Type } from '@vapi-cn/sdk-plugin-api';
import { realtimePacerFactory } from './pacer-factory.js';

export { RealtimePacer, type PacerSettings } from './pacer.js';
export { realtimePacerFactory, type PacerDefaults } from './pacer-factory.js';
export { FrameQueue } from './frame-queue.js';

const Options = Type.Object(
  {
    fillSilence: Type.Boolean({ default: false, description: 'Send silence when nothing is queued (continuous stream)' }),
    maxCatchUpFrames: Type.Integer({ minimum: 1, maximum: 50, default: 5, description: 'Frames sent at most in one tick after a stall' }),
  },
  { additionalProperties: false },
);

export default definePlugin({
  id: 'stage-pacer',
  version: '1.0.0',
  apiVersion: '^1.0.0',
  description: 'Outbound pacing at real time, drift-corrected, with instant flush for barge-in',
  configSchema: Options,
  provides: [stageRefs.pacers],
  requires: { clock: coreRefs.clock },
  setup(ctx, options) {
    ctx.provide(stageRefs.pacers, 'default', realtimePacerFactory(options, ctx.deps.clock));
  },
});
