/**
 * Maps every way a chat-completions call fails onto a VapiError, so the engine can retry or fail
 * over from the category alone: HTTP statuses, vendor error objects (in a body or inside the
 * stream), connection failures and timeouts. The vendor's message is kept, with the API key cut
 * out in case the vendor echoes it.
 */
import { VapiError, type ErrorCategory } from '@vapi-cn/sdk-plugin-api';

/** Who failed, for messages and details. */
export interface ErrorContext {
  provider: string;
  apiKey?: string;
}

interface VendorError {
  message?: string;
  type?: string;
  code?: string;
}

// Balance and quota exhaustion is reported under many statuses (402 DeepSeek, 429 OpenAI and
// Kimi, 400 Qwen, 403 Kimi, 429 Zhipu), so it is recognised by code and wording before the status.
// "quota" alone is not enough: Qwen's Throttling.AllocationQuota is a per-minute rate limit.
const QUOTA_CODES = new Set(['insufficient_quota', 'exceeded_current_quota_error', 'insufficient_balance', 'arrearage', '1113']);
const QUOTA_WORDING = /insufficient[ _](account[ _])?(balance|quota)|exceeded your current quota|account is in good standing|in arrears|余额不足|欠费/i;
const RATE_LIMIT_WORDING = /rate.?limit|throttl|too.?many.?requests/i;
const MAX_MESSAGE_CHARS = 500;

/** The error for a non-2xx answer; `body` is the response text (JSON or not). */
export function httpError(context: ErrorContext, status: number, headers: Headers, body: string): VapiError {
  const vendor = parseVendorError(body);
  const retryAfter = retryAfterMs(headers);
  return classify(context, vendor, status, retryAfter === undefined ? {} : { retryAfterMs: retryAfter });
}

/**
 * The error for a failure reported inside a 200 stream: a data object with an `error` field, or
 * an `event: error`. Some servers (vLLM) put the HTTP status in `error.code`.
 */
export function streamError(context: ErrorContext, payload: unknown): VapiError {
  const vendor = vendorErrorOf(payload);
  const status = Number(vendor.code);
  return classify(context, vendor, Number.isInteger(status) && status >= 400 && status <= 599 ? status : undefined, {});
}

/** A connection that could not be opened (`phase` connect) or dropped mid-answer (stream). */
export function connectionError(context: ErrorContext, phase: 'connect' | 'stream', cause: unknown): VapiError {
  const errno = errnoOf(cause);
  const suffix = errno ? ` (${errno})` : '';
  return phase === 'connect'
    ? new VapiError(`could not reach LLM provider '${context.provider}'${suffix}`, {
        code: 'VAPI_ERR_LLM_CONNECT_FAILED',
        category: 'connectivity',
        cause,
        details: { provider: context.provider, errno },
        fix: `check providers.${context.provider}.baseUrl and that the host is reachable`,
      })
    : new VapiError(`the connection to LLM provider '${context.provider}' dropped before the answer ended${suffix}`, {
        code: 'VAPI_ERR_LLM_CONNECTION_LOST',
        category: 'connectivity',
        cause,
        details: { provider: context.provider, errno },
      });
}

/** Which deadline passed (see Watchdog). */
export type TimeoutPhase = 'connect' | 'first-token' | 'idle';

/** The error for a deadline the Watchdog saw pass. */
export function timeoutError(context: ErrorContext, phase: TimeoutPhase, ms: number): VapiError {
  const details = { provider: context.provider, timeoutMs: ms };
  const option = `providers.${context.provider}.${phase === 'connect' ? 'connectTimeoutMs' : phase === 'idle' ? 'idleTimeoutMs' : 'firstTokenTimeoutMs'}`;
  const fix = `raise ${option} if the provider is just slow`;
  switch (phase) {
    case 'connect':
      return new VapiError(`LLM provider '${context.provider}' sent no response within ${ms} ms`, { code: 'VAPI_ERR_LLM_CONNECT_TIMEOUT', category: 'timeout', details, fix });
    case 'first-token':
      return new VapiError(`LLM provider '${context.provider}' did not start answering within ${ms} ms`, { code: 'VAPI_ERR_LLM_FIRST_TOKEN_TIMEOUT', category: 'timeout', details, fix });
    case 'idle':
      return new VapiError(`LLM provider '${context.provider}' stalled: nothing received for ${ms} ms`, { code: 'VAPI_ERR_LLM_IDLE_TIMEOUT', category: 'timeout', details, fix });
  }
}

/** A 200 answer that is not a chat-completions stream (not JSON, or not streamed). */
export function badResponseError(context: ErrorContext, what: string, cause?: unknown): VapiError {
  return new VapiError(`LLM provider '${context.provider}' sent ${what}`, {
    code: 'VAPI_ERR_LLM_BAD_RESPONSE',
    category: 'server',
    cause,
    details: { provider: context.provider },
  });
}

/** A finish_reason saying the vendor cut the answer short on its side. */
export function interruptedError(context: ErrorContext, finishReason: string): VapiError {
  return new VapiError(`LLM provider '${context.provider}' interrupted the answer (finish_reason ${finishReason})`, {
    code: 'VAPI_ERR_LLM_GENERATION_INTERRUPTED',
    category: 'server',
    details: { provider: context.provider, finishReason },
  });
}

/** Milliseconds to wait from `retry-after-ms` (OpenAI) or `Retry-After` (seconds or HTTP date). */
export function retryAfterMs(headers: Headers): number | undefined {
  const ms = headers.get('retry-after-ms')?.trim();
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function classify(context: ErrorContext, vendor: VendorError, status: number | undefined, extra: Record<string, unknown>): VapiError {
  const { provider } = context;
  const http = status === undefined ? '' : ` (HTTP ${status})`;
  // Redacted before truncation, so no half of a key survives the cut.
  const vendorMessage = vendor.message === undefined ? '' : `: ${redact(vendor.message, context.apiKey).slice(0, MAX_MESSAGE_CHARS)}`;
  const details: Record<string, unknown> = { provider, status, vendorCode: vendor.code, vendorType: vendor.type, ...extra };
  for (const key of Object.keys(details)) if (details[key] === undefined) delete details[key];
  const make = (what: string, code: string, category: ErrorCategory, fix?: string) =>
    new VapiError(`LLM provider '${provider}' ${what}${http}${vendorMessage}`, { code, category, details, fix });

  const codes = [vendor.code, vendor.type].map((c) => c?.toLowerCase());
  if (status === 402 || codes.some((c) => c !== undefined && QUOTA_CODES.has(c)) || QUOTA_WORDING.test(vendor.message ?? '')) {
    return make('is out of balance or quota', 'VAPI_ERR_LLM_QUOTA', 'quota', `top up or raise the quota of the '${provider}' account`);
  }
  if (status === 401 || status === 403) {
    return make('rejected the credentials', 'VAPI_ERR_LLM_AUTH', 'auth', `check providers.${provider}.apiKey`);
  }
  if (status === 429 || (status === undefined && codes.some((c) => c !== undefined && RATE_LIMIT_WORDING.test(c)))) {
    return make('is rate limiting', 'VAPI_ERR_LLM_RATE_LIMIT', 'rate_limit');
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return make('rejected the request', 'VAPI_ERR_LLM_INVALID_REQUEST', 'invalid_request', `check the model name and request options of '${provider}'`);
  }
  if (status !== undefined) return make('failed', 'VAPI_ERR_LLM_SERVER', 'server');
  return make('reported an error mid-stream', 'VAPI_ERR_LLM_STREAM_ERROR', 'server');
}

function parseVendorError(body: string): VendorError {
  try {
    return vendorErrorOf(JSON.parse(body));
  } catch {
    const text = body.trim();
    return text === '' ? {} : { message: text };
  }
}

// `{error: {message, type, code}}` (OpenAI and most), `{error: "text"}`, or the fields at the top
// level (some gateways).
function vendorErrorOf(payload: unknown): VendorError {
  if (typeof payload !== 'object' || payload === null) return typeof payload === 'string' ? { message: payload } : {};
  const outer = payload as Record<string, unknown>;
  const inner = outer.error;
  if (typeof inner === 'string') return { message: inner };
  const fields = typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>) : outer;
  const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : undefined);
  return { message: text(fields.message), type: text(fields.type), code: text(fields.code) };
}

function redact(text: string, apiKey: string | undefined): string {
  return apiKey ? text.split(apiKey).join('***') : text;
}

// fetch wraps the socket error (ECONNREFUSED, ENOTFOUND, UND_ERR_SOCKET...) in `cause`, sometimes
// inside an AggregateError when several addresses were tried.
function errnoOf(error: unknown): string | undefined {
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 5; depth++) {
    const { code, cause, errors } = current as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string') return code;
    current = cause ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return undefined;
}
