/**
 * The one error type of VAPI-CN. Every failure that crosses a plugin boundary is a VapiError, so
 * the engine can decide what to do (retry, fail over, hang up) from `category` and `retryable`
 * without knowing the vendor.
 */

/** What kind of failure this is. Provider plugins map vendor failures onto these. */
export type ErrorCategory =
  | 'auth' // credentials missing, wrong or expired
  | 'rate_limit' // too many requests; retry later
  | 'quota' // account out of balance or quota; retrying will not help
  | 'connectivity' // could not connect, connection dropped
  | 'timeout' // no answer in time
  | 'server' // the remote side failed (5xx)
  | 'invalid_request' // we sent something the remote side (or our own config) rejects
  | 'bad_input'; // input data (audio, SDP, ESL, JSON) is malformed

export const ERROR_CATEGORIES: readonly ErrorCategory[] = [
  'auth',
  'rate_limit',
  'quota',
  'connectivity',
  'timeout',
  'server',
  'invalid_request',
  'bad_input',
];

/** Categories that are worth retrying (or failing over) unless the thrower says otherwise. */
const RETRYABLE_BY_DEFAULT: ReadonlySet<ErrorCategory> = new Set([
  'rate_limit',
  'connectivity',
  'timeout',
  'server',
]);

export interface VapiErrorOptions {
  /** Stable code, `VAPI_ERR_<AREA>_<WHAT>`; docs/errors.md lists every code. */
  code: string;
  category: ErrorCategory;
  /** Defaults to true for rate_limit, connectivity, timeout and server. */
  retryable?: boolean;
  /** The underlying error (vendor response, socket error...). */
  cause?: unknown;
  /** Structured, log-safe facts about the failure (no secrets, no phone numbers). */
  details?: Record<string, unknown>;
  /** What the user should do about it, shown after the message by the CLI. */
  fix?: string;
}

// A global symbol brand, so that a VapiError thrown by a plugin bundling its own copy of the SDK is
// still recognised by the server's copy (instanceof would fail across copies).
const BRAND = Symbol.for('vapi-cn.VapiError');

const CODE_PATTERN = /^VAPI_ERR_[A-Z0-9]+(_[A-Z0-9]+)+$/;

export class VapiError extends Error {
  readonly code: string;
  readonly category: ErrorCategory;
  readonly retryable: boolean;
  readonly details?: Record<string, unknown>;
  readonly fix?: string;
  readonly [BRAND] = true;

  constructor(message: string, options: VapiErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (!CODE_PATTERN.test(options.code)) {
      throw new TypeError(`VapiError code must look like VAPI_ERR_<AREA>_<WHAT>, got '${options.code}'`);
    }
    this.name = 'VapiError';
    this.code = options.code;
    this.category = options.category;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(options.category);
    if (options.details) this.details = options.details;
    if (options.fix) this.fix = options.fix;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      category: this.category,
      retryable: this.retryable,
      message: this.message,
      ...(this.details ? { details: this.details } : {}),
      ...(this.fix ? { fix: this.fix } : {}),
    };
  }
}

/** True for any VapiError, including one created by another copy of the SDK. */
export function isVapiError(value: unknown): value is VapiError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * Wraps anything thrown into a VapiError, keeping the original as `cause`. A VapiError passes
 * through unchanged.
 */
export function toVapiError(
  value: unknown,
  fallback: { code: string; category: ErrorCategory; message?: string },
): VapiError {
  if (isVapiError(value)) return value;
  const message = fallback.message ?? (value instanceof Error ? value.message : String(value));
  return new VapiError(message, { code: fallback.code, category: fallback.category, cause: value });
}
