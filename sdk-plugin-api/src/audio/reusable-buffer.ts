/**
 * Storage kept across frames that hands out a view of the length asked for. The view is cached, so
 * frames of a steady size (the normal case) allocate nothing; the storage grows only when a longer
 * frame than any before arrives.
 */
export class ReusableBuffer<T extends Uint8Array | Int16Array> {
  private storage: T;
  private current: T;

  constructor(private readonly allocate: (length: number) => T, initialLength: number) {
    this.storage = allocate(initialLength);
    this.current = this.storage;
  }

  /** A view of `length` elements; valid until the next call (its contents are not kept). */
  view(length: number): T {
    if (length === this.current.length) return this.current;
    if (length > this.storage.length) this.storage = this.allocate(length);
    this.current = this.storage.subarray(0, length) as T;
    return this.current;
  }
}
