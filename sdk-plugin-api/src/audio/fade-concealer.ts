/** Loss concealment for codecs that have none of their own (G.711, L16). */
import type { ReusableBuffer } from './reusable-buffer.js';

/** G.711 Appendix I also goes silent after 60 ms of loss. */
const FADE_MS = 60;

/**
 * Replays the last decoded frame under a linear fade that reaches silence after 60 ms of loss, so
 * a lost packet neither clicks to silence nor buzzes on. Allocates only when a longer frame than
 * any before is remembered.
 */
export class FadeConcealer {
  private last: Int16Array;
  private lastLength = 0;
  /** Samples concealed since the last decoded frame. */
  private concealed = 0;
  private readonly fadeSamples: number;

  constructor(sampleRate: number, private readonly frameSize: number) {
    this.fadeSamples = (sampleRate * FADE_MS) / 1000;
    this.last = new Int16Array(frameSize);
  }

  /** Keeps a copy of a decoded frame (the caller may change the frame it was given). */
  remember(samples: Int16Array): void {
    if (samples.length > this.last.length) this.last = new Int16Array(samples.length);
    this.last.set(samples);
    this.lastLength = samples.length;
    this.concealed = 0;
  }

  /** The next concealment frame, as long as the last decoded one (one 20 ms frame before any). */
  next(output: ReusableBuffer<Int16Array>): Int16Array {
    const length = this.lastLength || this.frameSize;
    const out = output.view(length);
    const step = 1 / this.fadeSamples;
    let gain = 1 - this.concealed * step;
    if (gain <= 0 || this.lastLength === 0) {
      out.fill(0);
    } else {
      for (let i = 0; i < length; i++, gain -= step) out[i] = gain > 0 ? Math.round(this.last[i]! * gain) : 0;
    }
    this.concealed += length;
    return out;
  }
}
