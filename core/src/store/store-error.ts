/**
 * Maps database failures onto VapiErrors, so callers (the API, the engine) can act on the category
 * (a conflict is a 409, a lost connection is worth a retry) without knowing the driver.
 */
import { VapiError, isVapiError } from '@vapi-cn/sdk-plugin-api';

// Node socket errors seen when the server is down, unreachable or drops the connection.
const SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function isConnectionLoss(err: unknown, code: string | undefined): boolean {
  if (code !== undefined && (SOCKET_ERRORS.has(code) || code.startsWith('08') || code.startsWith('57P'))) return true;
  // pg reports timeouts and dropped sockets as plain Errors without a code.
  return err instanceof Error && /Connection terminated|timeout expired|connection timeout/i.test(err.message);
}

/**
 * A VapiError for a failed query. `where` names the database without credentials, e.g.
 * `PostgreSQL at db:5432/vapi`. A VapiError passes through unchanged.
 */
export function toStoreError(err: unknown, where: string): VapiError {
  if (isVapiError(err)) return err;
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  const details = code ? { sqlState: code } : undefined;
  if (isConnectionLoss(err, code)) {
    return new VapiError(`Lost the connection to ${where}: ${message}`, {
      code: 'VAPI_ERR_STORE_UNREACHABLE',
      category: 'connectivity',
      cause: err,
      details,
      fix: `Check that ${where} is running and reachable.`,
    });
  }
  if (code === '23505') {
    return new VapiError(message, { code: 'VAPI_ERR_STORE_CONFLICT', category: 'invalid_request', cause: err, details });
  }
  if (code === '23503') {
    return new VapiError(message, { code: 'VAPI_ERR_STORE_REFERENCE', category: 'invalid_request', cause: err, details });
  }
  // Class 22 (bad data) and 23 (other constraints: check, not null) mean the input was wrong.
  if (code?.startsWith('22') || code?.startsWith('23')) {
    return new VapiError(message, { code: 'VAPI_ERR_STORE_INVALID', category: 'invalid_request', cause: err, details });
  }
  return new VapiError(`Query failed on ${where}: ${message}`, {
    code: 'VAPI_ERR_STORE_QUERY',
    category: 'server',
    retryable: false,
    cause: err,
    details,
  });
}

export function storeClosedError(where: string): VapiError {
  return new VapiError(`The store (${where}) is closed`, {
    code: 'VAPI_ERR_STORE_CLOSED',
    category: 'connectivity',
    retryable: false,
  });
}
