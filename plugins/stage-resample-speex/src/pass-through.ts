/**
 * The resampler for equal input and output rates: checks the frame like any resampler and hands
 * it back unchanged, so callers need not special-case equal rates.
 */
import { samplesPerFrame, type AudioFrame, type AudioStage } from '@vapi-cn/sdk-plugin-api';
import { closedError } from './errors.js';
import { checkFrame } from './frame-check.js';

/** Passes 20 ms frames at `sampleRate` through untouched (the same frame object). */
export class PassThroughResampler implements AudioStage {
  readonly name = 'speex';
  /** No filter, no delay. */
  readonly delaySamples = 0;
  private readonly size: number;
  private closed = false;

  constructor(readonly sampleRate: number) {
    this.size = samplesPerFrame(sampleRate);
  }

  get inputRate(): number {
    return this.sampleRate;
  }

  get outputRate(): number {
    return this.sampleRate;
  }

  process(frame: AudioFrame): AudioFrame {
    if (this.closed) throw closedError();
    checkFrame(frame, this.sampleRate, this.size);
    return frame;
  }

  /** Nothing to clear. */
  reset(): void {}

  /** Idempotent; process() afterwards throws, as for any resampler. */
  close(): void {
    this.closed = true;
  }
}
