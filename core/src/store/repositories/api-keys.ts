/**
 * API keys. Only a sha256 of each key is stored: a leaked database does not leak usable keys.
 * A key is 32 random bytes, so a plain hash (no salt, no slow KDF) is enough.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { ApiKey, ApiKeyRepository } from '@vapi-cn/sdk-plugin-api';
import type { SqlClient } from '../sql-client.js';

const API_KEY_PREFIX = 'vk_';
const DISPLAY_PREFIX_LENGTH = 8;

interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = 'id, name, prefix, created_at, last_used_at, revoked_at';

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export class SqlApiKeyRepository implements ApiKeyRepository {
  constructor(private readonly db: SqlClient) {}

  async create(name: string): Promise<{ key: string; record: ApiKey }> {
    const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
    const [row] = await this.db.query<ApiKeyRow>(
      `INSERT INTO api_keys (id, name, prefix, key_hash) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
      [randomUUID(), name, key.slice(0, DISPLAY_PREFIX_LENGTH), hashKey(key)],
    );
    return { key, record: toApiKey(row) };
  }

  async verify(key: string): Promise<ApiKey | undefined> {
    if (!key.startsWith(API_KEY_PREFIX)) return undefined;
    // Lookup and last-used stamp in one statement; a revoked key matches no row.
    const [row] = await this.db.query<ApiKeyRow>(
      `UPDATE api_keys SET last_used_at = now() WHERE key_hash = $1 AND revoked_at IS NULL RETURNING ${COLUMNS}`,
      [hashKey(key)],
    );
    return row && toApiKey(row);
  }

  /** All keys, revoked ones included, newest first. */
  async list(): Promise<ApiKey[]> {
    const rows = await this.db.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys ORDER BY created_at DESC, id DESC`);
    return rows.map(toApiKey);
  }

  /** True when the key exists. Revoking twice keeps the first revocation time. */
  async revoke(id: string): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING id`,
      [id],
    );
    return rows.length > 0;
  }
}
