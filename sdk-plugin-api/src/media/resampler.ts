/**
 * Streaming sample-rate conversion. A resampler is an AudioStage: each 20 ms input frame yields
 * exactly one 20 ms output frame (`samplesPerFrame(outputRate)` samples), with state carried across
 * frames so there is no click at frame boundaries. One instance per call and direction.
 */
import type { AudioStage } from '../stage.js';

export interface ResamplerOptions {
  inputRate: number;
  outputRate: number;
  /** 0 (fastest) .. 10 (best). Plugins document their default. */
  quality?: number;
}

export interface ResamplerFactory {
  readonly name: string;
  /** Rates it converts between (any pair). */
  readonly sampleRates: readonly number[];
  create(options: ResamplerOptions): AudioStage;
}
