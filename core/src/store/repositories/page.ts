/** Limit/offset paging shared by the list() methods. */
import { VapiError, type Page } from '@vapi-cn/sdk-plugin-api';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

function invalid(field: string, value: unknown): VapiError {
  return new VapiError(`Paging ${field} must be a non-negative integer, got ${String(value)}`, {
    code: 'VAPI_ERR_STORE_PAGE',
    category: 'invalid_request',
  });
}

/** The page's limit (default 50, capped at 500) and offset (default 0). */
export function pageBounds(page: Page = {}): { limit: number; offset: number } {
  const limit = page.limit ?? DEFAULT_LIMIT;
  const offset = page.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 0) throw invalid('limit', limit);
  if (!Number.isInteger(offset) || offset < 0) throw invalid('offset', offset);
  return { limit: Math.min(limit, MAX_LIMIT), offset };
}
