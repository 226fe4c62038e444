/**
 * API-key authentication for routes that ask for it (the default). A key comes as
 * `Authorization: Bearer <key>` or `?api_key=<key>` (for browsers' WebSockets, which cannot set
 * headers). Verified keys are cached briefly so a busy route does not hit the store per request;
 * a revoked key stops working within the cache TTL.
 */
import { VapiError, type Store } from '@vapi-cn/sdk-plugin-api';

const CACHE_TTL_MS = 30_000;
const CACHE_MAX = 1000;

export class ApiKeyAuth {
  private readonly cache = new Map<string, number>();

  constructor(private readonly store: Store, private readonly enabled: boolean) {}

  /** Resolves when the request may proceed; throws an auth VapiError otherwise. */
  async check(headers: Record<string, string | string[] | undefined>, query: unknown): Promise<void> {
    if (!this.enabled) return;
    const key = extractKey(headers, query);
    if (!key) {
      throw new VapiError('an API key is required', {
        code: 'VAPI_ERR_AUTH_MISSING_KEY',
        category: 'auth',
        fix: 'send `Authorization: Bearer <key>` (create one with `vapi-cn api-keys create --name <name>`)',
      });
    }
    const cachedUntil = this.cache.get(key);
    if (cachedUntil !== undefined && cachedUntil > Date.now()) return;
    if (!(await this.store.apiKeys.verify(key))) {
      this.cache.delete(key);
      throw new VapiError('the API key is not valid', { code: 'VAPI_ERR_AUTH_INVALID_KEY', category: 'auth', fix: 'check the key, or create a new one' });
    }
    if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, Date.now() + CACHE_TTL_MS);
  }
}

function extractKey(headers: Record<string, string | string[] | undefined>, query: unknown): string | undefined {
  const header = headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  if (value?.startsWith('Bearer ')) return value.slice(7).trim() || undefined;
  const fromQuery = (query as Record<string, unknown> | undefined)?.api_key;
  return typeof fromQuery === 'string' && fromQuery ? fromQuery : undefined;
}
