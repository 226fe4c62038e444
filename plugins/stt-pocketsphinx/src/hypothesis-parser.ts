/**
 * Reads what pocketsphinx_continuous (0.8, `-time yes`) prints on stdout: per utterance, the
 * hypothesis on one line, then one line per segment, `word start end posterior` (seconds from the
 * start of the audio), fillers such as `<sil>` included:
 *
 *     check my order status
 *     check 0.000 0.280 1.000000
 *     ...
 *     <sil> 1.230 1.710 1.000000
 *
 * An utterance ends at the next hypothesis line, or at the end of a stdout read: the decoder
 * writes each utterance with one fflush, so a read that ends on a line break ends an utterance.
 * Should a write ever arrive split, the utterance is still reported, with the timings seen so
 * far; segment lines without a hypothesis before them are ignored.
 */

/** One recognised utterance. */
export interface Hypothesis {
  text: string;
  /** Offsets in the stream's audio, ms, from the first and last words (fillers excluded). */
  startMs?: number;
  endMs?: number;
  /** The least confident word's posterior, 0..1. */
  confidence?: number;
}

const SEGMENT = /^(\S+) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\S+)$/;
/** `<s>`, `</s>`, `<sil>`, `[NOISE]`, `++BREATH++`: not words. */
const FILLER = /^(<.*>|\[.*\]|\+\+.*\+\+)$/;

export class HypothesisParser {
  private partialLine = '';
  private open?: Hypothesis;

  /** Feeds one stdout read (decoded text); returns the utterances it completes. */
  push(text: string): Hypothesis[] {
    const lines = (this.partialLine + text).split('\n');
    this.partialLine = lines.pop()!;
    const done: Hypothesis[] = [];
    for (const raw of lines) {
      const line = raw.trim();
      const segment = SEGMENT.exec(line);
      if (segment) {
        if (this.open) addSegment(this.open, segment[1]!, Number(segment[2]), Number(segment[3]), Number(segment[4]));
        continue;
      }
      this.close(done);
      // An empty hypothesis (noise, nothing recognised) opens nothing.
      if (line) this.open = { text: line };
    }
    if (this.partialLine === '') this.close(done);
    return done;
  }

  /** At the end of the output: what is left, a last line without a line break included. */
  end(): Hypothesis[] {
    return this.push('\n');
  }

  private close(done: Hypothesis[]): void {
    if (this.open) done.push(this.open);
    this.open = undefined;
  }
}

function addSegment(hypothesis: Hypothesis, word: string, start: number, end: number, posterior: number): void {
  if (FILLER.test(word)) return;
  hypothesis.startMs ??= Math.round(start * 1000);
  hypothesis.endMs = Math.round(end * 1000);
  if (Number.isFinite(posterior)) hypothesis.confidence = Math.min(hypothesis.confidence ?? 1, Math.max(0, Math.min(1, posterior)));
}
