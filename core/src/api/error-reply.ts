/** Maps errors to HTTP answers: `{ error: { code, category, message, fix? } }` with a fitting status. */
import { isVapiError, type ErrorCategory } from '@vapi-cn/sdk-plugin-api';

const STATUS_BY_CATEGORY: Record<ErrorCategory, number> = {
  auth: 401,
  rate_limit: 429,
  quota: 402,
  connectivity: 502,
  timeout: 504,
  server: 502,
  invalid_request: 400,
  bad_input: 400,
};

export interface ErrorBody {
  error: { code: string; category: string; message: string; fix?: string };
}

export function errorReply(error: unknown): { status: number; body: ErrorBody } {
  if (isVapiError(error)) {
    const override = error.details?.status;
    return {
      status: typeof override === 'number' ? override : STATUS_BY_CATEGORY[error.category],
      body: { error: { code: error.code, category: error.category, message: error.message, ...(error.fix ? { fix: error.fix } : {}) } },
    };
  }
  const fastifyError = error as { validation?: unknown; statusCode?: number; message?: string; code?: string };
  if (fastifyError.validation) {
    return {
      status: 400,
      body: { error: { code: 'VAPI_ERR_HTTP_VALIDATION', category: 'invalid_request', message: fastifyError.message ?? 'invalid request' } },
    };
  }
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return {
      status: fastifyError.statusCode,
      body: { error: { code: 'VAPI_ERR_HTTP_BAD_REQUEST', category: 'invalid_request', message: fastifyError.message ?? 'bad request' } },
    };
  }
  return { status: 500, body: { error: { code: 'VAPI_ERR_INTERNAL', category: 'server', message: 'internal error; see the server log' } } };
}
