/**
 * A push-to-pull bridge: timers and write() push results, one consumer iterates them. Used by the
 * fake STT stream, whose results arrive independently of the caller's reads.
 */
/** Single-consumer queue; its own async iterator. */
export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiting: { resolve(result: IteratorResult<T>): void; reject(error: unknown): void } | undefined;
  private failure: { error: unknown } | undefined;
  private finished = false;

  /** Ignored once the queue is finished or failed. */
  push(item: T): void {
    if (this.finished || this.failure) return;
    const waiting = this.takeWaiting();
    if (waiting) waiting.resolve({ value: item, done: false });
    else this.items.push(item);
  }

  /** Ends the iteration after the items already queued. */
  finish(): void {
    if (this.finished || this.failure) return;
    this.finished = true;
    if (this.items.length === 0) this.takeWaiting()?.resolve({ value: undefined, done: true });
  }

  /** Ends the iteration at once, dropping queued items. */
  close(): void {
    this.items.length = 0;
    this.finished = true;
    this.failure = undefined;
    this.takeWaiting()?.resolve({ value: undefined, done: true });
  }

  /** Throws `error` from the iteration after the items already queued. */
  fail(error: unknown): void {
    if (this.finished || this.failure) return;
    this.failure = { error };
    if (this.items.length === 0) this.takeWaiting()?.reject(error);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) return Promise.resolve({ value: this.items.shift()!, done: false });
    if (this.failure) {
      const { error } = this.failure;
      this.failure = undefined;
      this.finished = true;
      return Promise.reject(error);
    }
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  /** A consumer breaking out of `for await` closes the queue. */
  return(): Promise<IteratorResult<T>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private takeWaiting() {
    const waiting = this.waiting;
    this.waiting = undefined;
    return waiting;
  }
}
