/** SqlClient over PGlite, the embedded PostgreSQL (WASM) used when no database URL is configured. */
import { mkdir } from 'node:fs/promises';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { VapiError } from '@vapi-cn/sdk-plugin-api';
import type { SqlClient, SqlParam } from './sql-client.js';
import { storeClosedError, toStoreError } from './store-error.js';

export interface PgliteClientOptions {
  /** Directory holding the database files (created if missing). Omitted or `memory://`: in memory. */
  dataDir?: string;
}

type Queryable = PGlite | Transaction;

async function run<T>(where: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toStoreError(err, where);
  }
}

function queryOn<R>(db: Queryable, where: string, sql: string, params?: readonly SqlParam[]): Promise<R[]> {
  return run(where, async () => (await db.query<R>(sql, params ? [...params] : undefined)).rows);
}

function execOn(db: Queryable, where: string, sql: string): Promise<void> {
  return run(where, async () => {
    await db.exec(sql);
  });
}

/** The client handed to a transaction's callback; PGlite serialises it against other queries. */
function transactionClient(tx: Transaction, where: string): SqlClient {
  const client: SqlClient = {
    driver: 'pglite',
    query: (sql, params) => queryOn(tx, where, sql, params),
    exec: (sql) => execOn(tx, where, sql),
    transaction: (fn) => fn(client),
    close: async () => {},
  };
  return client;
}

class PgliteClient implements SqlClient {
  readonly driver = 'pglite';
  #closing: Promise<void> | undefined;

  constructor(
    private readonly db: PGlite,
    private readonly where: string,
  ) {}

  query<R = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<R[]> {
    if (this.#closing) return Promise.reject(storeClosedError(this.where));
    return queryOn<R>(this.db, this.where, sql, params);
  }

  exec(sql: string): Promise<void> {
    if (this.#closing) return Promise.reject(storeClosedError(this.where));
    return execOn(this.db, this.where, sql);
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    if (this.#closing) throw storeClosedError(this.where);
    // PGlite rolls back and rethrows the callback's error unchanged.
    return this.db.transaction((tx) => fn(transactionClient(tx, this.where)));
  }

  close(): Promise<void> {
    this.#closing ??= run(this.where, () => this.db.close());
    return this.#closing;
  }
}

function isInMemory(dataDir: string | undefined): boolean {
  return dataDir === undefined || dataDir === '' || dataDir.startsWith('memory://');
}

export async function openPgliteClient(options: PgliteClientOptions = {}): Promise<SqlClient> {
  const { dataDir } = options;
  const inMemory = isInMemory(dataDir);
  const where = inMemory ? 'PGlite (in memory)' : `PGlite at ${dataDir}`;
  try {
    if (!inMemory) await mkdir(dataDir!, { recursive: true });
    const db = await PGlite.create(inMemory ? undefined : dataDir);
    return new PgliteClient(db, where);
  } catch (err) {
    throw new VapiError(`Cannot open ${where}: ${err instanceof Error ? err.message : String(err)}`, {
      code: 'VAPI_ERR_STORE_UNREACHABLE',
      category: 'connectivity',
      retryable: false,
      cause: err,
      fix: 'Check that store.dataDir is a writable directory and that no other VAPI-CN process uses it, or set store.url to use PostgreSQL.',
    });
  }
}
