/** Thrown values in one line, for conformance failure messages. */
import { isVapiError } from '../errors.js';

export function describeThrown(value: unknown): string {
  if (isVapiError(value)) return `VapiError ${value.code} (${value.category}, ${value.retryable ? 'retryable' : 'not retryable'}): ${value.message}`;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  return `non-Error value ${String(value)}`;
}
