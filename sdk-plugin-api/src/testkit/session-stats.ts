/**
 * Counters every fake provider keeps, so engine tests can assert "the LLM was aborted once" or
 * "no STT stream is left open" without instrumenting the fake.
 */

/** How one session (an STT stream, a chat, a synthesis) ended. */
export type SessionOutcome = 'completed' | 'aborted' | 'failed';

/** Read-only view of a fake's sessions. */
export interface FakeStats {
  /** Sessions started. */
  readonly calls: number;
  /** Sessions started and not yet ended. */
  readonly open: number;
  readonly completed: number;
  /** Sessions ended early: by the abort signal, `close()`, or the consumer breaking out. */
  readonly aborts: number;
  /** Sessions that ended with an error (including induced ones). */
  readonly failures: number;
}

/** The writable counters behind a fake's `stats`. */
export class SessionStats implements FakeStats {
  calls = 0;
  open = 0;
  completed = 0;
  aborts = 0;
  failures = 0;

  /** Counts a session starting; the returned function ends it (later calls are ignored). */
  start(): (outcome: SessionOutcome) => void {
    this.calls++;
    this.open++;
    let ended = false;
    return (outcome) => {
      if (ended) return;
      ended = true;
      this.open--;
      if (outcome === 'completed') this.completed++;
      else if (outcome === 'aborted') this.aborts++;
      else this.failures++;
    };
  }
}
