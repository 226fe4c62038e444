/**
 * The `default` pacer factory. It carries a worker recipe: a media worker thread builds the same
 * factory (with the same defaults, on its own system clock) to pace audio away from the main loop.
 */
import { SystemClock, type AudioPacer, type AudioPacerFactory, type AudioPacerOptions, type Clock } from '@vapi-cn/sdk-plugin-api';
import { RealtimePacer } from './pacer.js';

export interface PacerDefaults {
  fillSilence: boolean;
  maxCatchUpFrames: number;
}

export function realtimePacerFactory(defaults: PacerDefaults, clock: Clock = new SystemClock()): AudioPacerFactory {
  return {
    name: 'default',
    workerRecipe: { module: import.meta.url, export: 'realtimePacerFactory', options: { fillSilence: defaults.fillSilence, maxCatchUpFrames: defaults.maxCatchUpFrames } },
    create(pacer: AudioPacerOptions): AudioPacer {
      return new RealtimePacer({
        clock: pacer.clock ?? clock,
        sampleRate: pacer.sampleRate,
        onFrame: pacer.onFrame,
        fillSilence: pacer.fillSilence ?? defaults.fillSilence,
        maxCatchUpFrames: pacer.maxCatchUpFrames ?? defaults.maxCatchUpFrames,
        leadMs: pacer.leadMs ?? 0,
      });
    },
  };
}
