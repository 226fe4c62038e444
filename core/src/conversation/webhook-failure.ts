/** How a failed webhook request (tool or server event) is classified for its VapiError. */
import type { ErrorCategory } from '@vapi-cn/sdk-plugin-api';

export function statusCategory(status: number): ErrorCategory {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate_limit';
  return status >= 500 ? 'server' : 'invalid_request';
}

/** A log-safe name for a network failure (ECONNREFUSED...), from fetch's error or its cause. */
export function networkErrorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' ? cause.code : error instanceof Error ? error.name : 'unknown';
}
