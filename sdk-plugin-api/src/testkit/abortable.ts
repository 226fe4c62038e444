/**
 * Waiting that gives way to an AbortSignal without throwing: fakes end quietly on abort, as the
 * provider contracts require. Callers check `signal.aborted` right after the wait, synchronously
 * before they yield, so nothing is yielded once the signal has aborted.
 */
import type { Clock } from '../clock.js';

/**
 * Waits `ms` on `clock`, or less if `signal` aborts first; never rejects for an abort. No timer at
 * all for `ms <= 0`, so a fake with zero latency needs no `VirtualClock.advance()`.
 */
export async function pause(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 || signal?.aborted) return;
  try {
    await clock.sleep(ms, signal);
  } catch (error) {
    if (!signal?.aborted) throw error;
  }
}

/** The iterator's next result, or undefined if `signal` aborts while waiting for it. */
export async function nextUnlessAborted<T>(iterator: AsyncIterator<T>, signal: AbortSignal | undefined): Promise<IteratorResult<T> | undefined> {
  if (!signal) return iterator.next();
  if (signal.aborted) return undefined;
  let onAbort!: () => void;
  const aborted = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([iterator.next(), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
