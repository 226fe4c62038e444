/**
 * What the caller actually heard. Bot speech is queued as segments (one per sentence) of known
 * duration; the pacer reports how much audio went out on the wire. At barge-in the history keeps
 * only what was played: whole segments, plus the played share of the one that was cut.
 */

interface Segment {
  text: string;
  /** Audio queued for this segment so far, ms. */
  durationMs: number;
  /** Offset of the segment's first sample in the bot's output since the turn began, ms. */
  startMs: number;
}

export class PlayedPosition {
  private segments: Segment[] = [];
  private queuedMs = 0;

  /** Starts a new segment (a sentence sent to TTS); its audio follows with `addAudio`. */
  beginSegment(text: string): void {
    this.segments.push({ text, durationMs: 0, startMs: this.queuedMs });
  }

  /** Audio of the current segment was queued for playback. */
  addAudio(ms: number): void {
    const current = this.segments[this.segments.length - 1];
    if (!current) return;
    current.durationMs += ms;
    this.queuedMs += ms;
  }

  get totalQueuedMs(): number {
    return this.queuedMs;
  }

  /**
   * The text heard after `playedMs` of this turn's audio went out: whole segments, and the share
   * of a cut segment's characters in proportion to its played time, ending at a word boundary.
   */
  heardText(playedMs: number): string {
    let heard = '';
    for (const segment of this.segments) {
      if (playedMs >= segment.startMs + segment.durationMs && segment.durationMs > 0) {
        heard = joinSpoken(heard, segment.text);
        continue;
      }
      if (playedMs > segment.startMs && segment.durationMs > 0) {
        const share = (playedMs - segment.startMs) / segment.durationMs;
        heard = joinSpoken(heard, cutAtWord(segment.text, Math.floor(segment.text.length * share)));
      }
      break;
    }
    return heard;
  }

  reset(): void {
    this.segments = [];
    this.queuedMs = 0;
  }
}

/** Sentences are spoken separately; written back together, Latin text needs a space between them. */
function joinSpoken(before: string, next: string): string {
  if (!before || !next || /\s$/.test(before) || /^\s/.test(next) || /[\u3000-\u9fff\uff00-\uffef]$/.test(before)) return before + next;
  return `${before} ${next}`;
}

/** The first `length` characters, backed off to the last space for space-separated text. */
function cutAtWord(text: string, length: number): string {
  const cut = text.slice(0, length);
  // Already at a boundary: the end, a CJK character, or just before a space or punctuation.
  if (length >= text.length || /[\u3000-\u9fff]/.test(cut.slice(-1)) || /[\s,.;:!?]/.test(text[length]!)) return cut;
  const space = cut.lastIndexOf(' ');
  return space > 0 ? cut.slice(0, space) : cut;
}
