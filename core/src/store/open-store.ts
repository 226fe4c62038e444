/** Opens the configured database and brings its schema up to date. */
import { VapiError, type Logger, type ServerConfig } from '@vapi-cn/sdk-plugin-api';
import { migrate } from './migrator.js';
import { openPgliteClient } from './pglite-client.js';
import { openPostgresClient } from './postgres-client.js';
import type { SqlClient } from './sql-client.js';
import { SqlStore } from './sql-store.js';

async function openClient(config: ServerConfig['store'], log?: Logger): Promise<SqlClient> {
  if (config.driver === 'pglite') return openPgliteClient({ dataDir: config.dataDir });
  if (!config.url) {
    throw new VapiError('store.driver is postgres but store.url is empty', {
      code: 'VAPI_ERR_STORE_URL',
      category: 'invalid_request',
      fix: 'Set store.url to postgres://user:password@host:5432/database, or use store.driver: pglite.',
    });
  }
  return openPostgresClient({ url: config.url, log });
}

export async function openStore(config: ServerConfig['store'], log?: Logger): Promise<SqlStore> {
  const client = await openClient(config, log);
  try {
    await migrate(client, { log });
  } catch (err) {
    await client.close().catch(() => {});
    throw err;
  }
  log?.info({ driver: client.driver }, 'store ready');
  return new SqlStore(client);
}
