/**
 * Reads a provider's async iterable in the background while a conformance case does something
 * else (writes audio, aborts), recording what arrives and when relative to a mark such as abort.
 */

/** Starts reading `iterable` at construction. */
export class Drain<T> {
  readonly items: T[] = [];
  /** Items that arrived after `mark()`. */
  readonly afterMark: T[] = [];
  /** Resolves when the iteration completes; rejects with what it threw. */
  readonly done: Promise<void>;
  /** Resolves with the first item; never rejects (a failure is reported by `done`). */
  readonly first: Promise<T | undefined>;
  private marked = false;
  private resolveFirst!: (item: T | undefined) => void;

  constructor(iterable: AsyncIterable<T>) {
    this.first = new Promise((resolve) => (this.resolveFirst = resolve));
    this.done = this.read(iterable);
    // Cases await `done` only on some paths; an unobserved failure must not crash the process.
    this.done.catch(() => undefined);
  }

  /** Items from now on go to `afterMark` as well. */
  mark(): void {
    this.marked = true;
  }

  private async read(iterable: AsyncIterable<T>): Promise<void> {
    try {
      for await (const item of iterable) {
        this.items.push(item);
        if (this.marked) this.afterMark.push(item);
        this.resolveFirst(item);
      }
    } finally {
      this.resolveFirst(undefined);
    }
  }
}
