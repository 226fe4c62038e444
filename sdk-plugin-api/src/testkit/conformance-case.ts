/**
 * What a conformance suite is made of, independent of any test runner: a list of named cases that
 * throw an AssertionError on failure. Adapters register them with tap or node:test.
 */
import type { InducedFailure } from './induced-failure.js';
import type { LeakCheckOptions } from './resource-leaks.js';

/** One check of a provider contract. */
export interface ConformanceCase {
  readonly name: string;
  /** Set when the case cannot run (a hook it needs was not given): why. `run()` then does nothing. */
  readonly skip?: string;
  /** Resolves when the provider conforms; rejects with an AssertionError saying how it does not. */
  run(): Promise<void>;
}

/** Options every suite takes besides `create()`. */
export interface ConformanceOptions {
  /**
   * Makes the vendor fail this way until `restore()`: typically your fake vendor server switching
   * its mode (answer 401, 429 or 503, stall, drop the connection mid-stream). Called after
   * `create()`. Without it, the error-category cases are skipped.
   */
  induce?(failure: InducedFailure): void | Promise<void>;
  /** Back to normal; called after each session run with an induced failure. */
  restore?(): void | Promise<void>;
  /** The failures `induce()` supports; default all. Cases for the others are skipped. */
  inducible?: readonly InducedFailure[];
  /** How soon an abort or close must end the iteration; default 1000 ms. */
  abortWithinMs?: number;
  /** How long any session may take to complete or to fail (including an induced stall); default 5000 ms. */
  finishWithinMs?: number;
  leaks?: LeakCheckOptions;
}

/** The part of tap's `t` the adapter uses. */
export interface TapLike {
  test(name: string, extra: { skip?: string }, cb: () => Promise<void>): unknown;
}

/** node:test's `test` function (or `(n, o, f) => t.test(n, o, f)` inside a parent test). */
export type NodeTestLike = (name: string, options: { skip?: string }, fn: () => Promise<void>) => unknown;

/** Registers each case as a subtest of `t`, skipped cases with their reason. Resolves when all ran. */
export async function runWithTap(t: TapLike, cases: readonly ConformanceCase[]): Promise<void> {
  await Promise.all(cases.map((c) => t.test(c.name, skipOption(c), () => c.run())));
}

/** Registers each case with node:test, skipped cases with their reason. Resolves when all ran. */
export async function runWithNodeTest(test: NodeTestLike, cases: readonly ConformanceCase[]): Promise<void> {
  await Promise.all(cases.map((c) => test(c.name, skipOption(c), () => c.run())));
}

function skipOption(c: ConformanceCase): { skip?: string } {
  return c.skip === undefined ? {} : { skip: c.skip };
}
