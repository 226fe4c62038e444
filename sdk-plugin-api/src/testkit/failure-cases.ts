/**
 * The error-category cases every suite shares: induce a vendor failure, run an ordinary session,
 * and check that the provider turned the failure into the right VapiError.
 */
import assert, { AssertionError } from 'node:assert/strict';
import { isVapiError } from '../errors.js';
import type { ConformanceCase, ConformanceOptions } from './conformance-case.js';
import { within } from './deadline.js';
import { EXPECTED_ERRORS, INDUCED_FAILURES, type InducedFailure } from './induced-failure.js';
import { describeThrown } from './thrown.js';

/** Runs one ordinary session; rejects with what the provider threw, resolves if nothing was. */
export type FailingSession<P> = (provider: P) => Promise<void>;

/** Default time bounds of the suites. */
export function bounds(options: ConformanceOptions): { abortMs: number; finishMs: number } {
  return { abortMs: options.abortWithinMs ?? 1000, finishMs: options.finishWithinMs ?? 5000 };
}

/** The failures the options can induce, in a fixed order. */
export function inducibleFailures(options: ConformanceOptions): InducedFailure[] {
  if (!options.induce) return [];
  return INDUCED_FAILURES.filter((f) => options.inducible?.includes(f) ?? true);
}

/**
 * Runs `session` with `failure` induced and returns what it threw, or undefined. An
 * AssertionError (a contract breach the session itself found, such as write() throwing) passes
 * through.
 */
export async function induced<P>(options: ConformanceOptions, provider: P, failure: InducedFailure, session: FailingSession<P>): Promise<{ thrown: unknown } | undefined> {
  await options.induce!(failure);
  try {
    await within(session(provider), bounds(options).finishMs, `the induced ${failure} failure to surface`);
    return undefined;
  } catch (thrown) {
    if (thrown instanceof AssertionError) throw thrown;
    return { thrown };
  } finally {
    await options.restore?.();
  }
}

/** One case per induced failure; skipped when `induce()` is absent or does not support it. */
export function failureCases<P>(options: ConformanceOptions, create: () => P | Promise<P>, session: FailingSession<P>): ConformanceCase[] {
  const supported = inducibleFailures(options);
  return INDUCED_FAILURES.map((failure) => {
    const expected = EXPECTED_ERRORS[failure];
    const retryable = expected.retryable === undefined ? '' : expected.retryable ? ', retryable' : ', not retryable';
    const name = `induced ${failure} failure: a VapiError ${expected.categories.join(' or ')}${retryable}`;
    if (!supported.includes(failure)) {
      return { name, skip: options.induce ? `induce() does not support '${failure}'` : 'no induce() hook given', run: async () => undefined };
    }
    return {
      name,
      run: async () => {
        const outcome = await induced(options, await create(), failure, session);
        assertInducedError(outcome, failure);
      },
    };
  });
}

function assertInducedError(outcome: { thrown: unknown } | undefined, failure: InducedFailure): void {
  assert.ok(outcome, `the session ended normally; the induced ${failure} failure must be thrown as a VapiError`);
  const { thrown } = outcome;
  if (!isVapiError(thrown)) assert.fail(`the induced ${failure} failure must be thrown as a VapiError, got ${describeThrown(thrown)}`);
  const expected = EXPECTED_ERRORS[failure];
  assert.ok(
    expected.categories.includes(thrown.category),
    `the induced ${failure} failure has category '${thrown.category}', expected ${expected.categories.map((c) => `'${c}'`).join(' or ')} (${describeThrown(thrown)})`,
  );
  if (expected.retryable !== undefined) {
    assert.equal(thrown.retryable, expected.retryable, `the induced ${failure} failure must ${expected.retryable ? 'be' : 'not be'} retryable (${describeThrown(thrown)})`);
  }
}
