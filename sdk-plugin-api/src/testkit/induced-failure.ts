/**
 * The vendor failures a conformance suite induces, and the VapiError a provider must turn each
 * into. Fakes use `inducedError()` to fail the way a correct provider would.
 */
import { VapiError, type ErrorCategory } from '../errors.js';

/** A vendor failure: 401, 429, 5xx, a stalled stream, a connection dropped mid-stream. */
export type InducedFailure = 'auth' | 'rate_limit' | 'server' | 'timeout' | 'disconnect';

export const INDUCED_FAILURES: readonly InducedFailure[] = ['auth', 'rate_limit', 'server', 'timeout', 'disconnect'];

/** What the provider must throw for each failure. `retryable` undefined: not checked. */
export const EXPECTED_ERRORS: Readonly<Record<InducedFailure, { categories: readonly ErrorCategory[]; retryable?: boolean }>> = {
  auth: { categories: ['auth'], retryable: false },
  rate_limit: { categories: ['rate_limit'], retryable: true },
  server: { categories: ['server'], retryable: true },
  timeout: { categories: ['timeout'] },
  disconnect: { categories: ['connectivity', 'server'] },
};

const CATEGORY: Record<InducedFailure, ErrorCategory> = {
  auth: 'auth',
  rate_limit: 'rate_limit',
  server: 'server',
  timeout: 'timeout',
  disconnect: 'connectivity',
};

/** The error a fake provider throws for an induced failure. */
export function inducedError(failure: InducedFailure, provider: string): VapiError {
  return new VapiError(`${provider}: induced ${failure} failure`, {
    code: 'VAPI_ERR_TESTKIT_INDUCED',
    category: CATEGORY[failure],
    details: { provider, failure },
  });
}
