/**
 * stage-pacer: the `default` outbound pacer. Bot audio leaves at real time, one 20 ms frame per
 * tick, drift-corrected against the monotonic clock, and flush() takes back what is queued.
 */
import { coreRefs, definePlugin, stageRefs, Type, type AudioPacer, type AudioPacerFactory, type AudioPacerOptions } from '@vapi-cn/sdk-plugin-api';
import { RealtimePacer } from './pacer.js';

export { RealtimePacer, type PacerSettings } from './pacer.js';
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
    const factory: AudioPacerFactory = {
      name: 'default',
      create(pacer: AudioPacerOptions): AudioPacer {
        return new RealtimePacer({
          clock: pacer.clock ?? ctx.deps.clock,
          sampleRate: pacer.sampleRate,
          onFrame: pacer.onFrame,
          fillSilence: pacer.fillSilence ?? options.fillSilence,
          maxCatchUpFrames: pacer.maxCatchUpFrames ?? options.maxCatchUpFrames,
          leadMs: pacer.leadMs ?? 0,
        });
      },
    };
    ctx.provide(stageRefs.pacers, 'default', factory);
  },
});
