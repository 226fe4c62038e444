/**
 * Time bounds for conformance cases: a provider that hangs must fail its case, not the whole test
 * run. The timer is always cleared, so it never shows up in the handle-leak check.
 */
import { AssertionError } from 'node:assert/strict';
import { describeThrown } from './thrown.js';

/** `promise`, or an AssertionError "`what` did not happen within `ms` ms". */
export async function within<T>(promise: PromiseLike<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AssertionError({ message: `${what} did not happen within ${ms} ms` })), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Like `within()`, and a rejection becomes an AssertionError "`what` threw ...". */
export async function completesWithin<T>(promise: PromiseLike<T>, ms: number, what: string): Promise<T> {
  try {
    return await within(promise, ms, what);
  } catch (error) {
    if (error instanceof AssertionError) throw error;
    throw new AssertionError({ message: `${what} threw ${describeThrown(error)}` });
  }
}

/** Resolves after `ms` of real time; for cases that let a stream run for a moment. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
