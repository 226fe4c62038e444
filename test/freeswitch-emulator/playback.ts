import { SAMPLES_PER_TICK } from './pcm-track.js';

/**
 * One file being played to the caller (switch_ivr_play_file): 20 ms of 8 kHz audio per tick,
 * the last frame padded with silence. `loops` repeats it as the sendmsg `loops` header does.
 */
export class Playback {
  private position = 0;
  private loopsLeft: number;
  private played = 0;
  private readonly frame = new Int16Array(SAMPLES_PER_TICK);

  constructor(
    readonly path: string,
    private readonly samples: Int16Array,
    readonly fileType: string | undefined,
    loops = 1,
  ) {
    this.loopsLeft = Math.max(1, loops);
  }

  /** Samples handed out so far (playback_samples). */
  get samplesPlayed(): number {
    return this.played;
  }

  get finished(): boolean {
    return this.loopsLeft <= 0 || this.samples.length === 0;
  }

  /** The next 20 ms, or null when the file is over. The returned view is reused. */
  nextFrame(): Int16Array | null {
    if (this.finished) return null;
    let filled = 0;
    while (filled < SAMPLES_PER_TICK && this.loopsLeft > 0) {
      const take = Math.min(SAMPLES_PER_TICK - filled, this.samples.length - this.position);
      this.frame.set(this.samples.subarray(this.position, this.position + take), filled);
      filled += take;
      this.position += take;
      if (this.position >= this.samples.length) {
        this.loopsLeft--;
        this.position = 0;
        // A file ends at its last frame; only a further loop continues inside the same tick.
        if (this.loopsLeft <= 0) break;
      }
    }
    if (filled < SAMPLES_PER_TICK) this.frame.fill(0, filled);
    this.played += filled;
    return this.frame;
  }
}
