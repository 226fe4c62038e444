/** SqlClient over a pg connection pool, for a PostgreSQL server given by URL. */
import pg from 'pg';
import { VapiError, type Logger } from '@vapi-cn/sdk-plugin-api';
import type { SqlClient, SqlParam } from './sql-client.js';
import { storeClosedError, toStoreError } from './store-error.js';

export interface PostgresClientOptions {
  /** `postgres://user:password@host:port/database`. */
  url: string;
  log?: Logger;
  /** How long to wait for a connection before giving up. Default 10 s. */
  connectTimeoutMs?: number;
}

const INT8_OID = 20;

// pg returns int8 (bigserial ids, count(*)) as strings to avoid precision loss; PGlite returns
// numbers. Our int8 values stay far below 2^53, so both drivers return numbers.
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** `host:port/database` from the URL, never the user or password, for messages and logs. */
function describePostgresUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw new VapiError('store.url is not a valid URL', {
      code: 'VAPI_ERR_STORE_URL',
      category: 'invalid_request',
      cause: err,
      fix: 'Use the form postgres://user:password@host:5432/database.',
    });
  }
  const host = parsed.host || parsed.searchParams.get('host') || 'localhost';
  return `${host}${parsed.port ? '' : ':5432'}${parsed.pathname}`;
}

async function run<T>(where: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toStoreError(err, where);
  }
}

/** The client handed to a transaction's callback: every statement on the same connection. */
function transactionClient(conn: pg.PoolClient, where: string): SqlClient {
  const client: SqlClient = {
    driver: 'postgres',
    query: <R>(sql: string, params?: readonly SqlParam[]) =>
      run(where, async () => (await conn.query(sql, params ? [...params] : undefined)).rows as R[]),
    exec: (sql) =>
      run(where, async () => {
        await conn.query(sql);
      }),
    transaction: (fn) => fn(client),
    close: async () => {},
  };
  return client;
}

class PostgresClient implements SqlClient {
  readonly driver = 'postgres';
  #closing: Promise<void> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly where: string,
  ) {}

  query<R = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<R[]> {
    if (this.#closing) return Promise.reject(storeClosedError(this.where));
    return run(this.where, async () => (await this.pool.query(sql, params ? [...params] : undefined)).rows as R[]);
  }

  exec(sql: string): Promise<void> {
    if (this.#closing) return Promise.reject(storeClosedError(this.where));
    return run(this.where, async () => {
      await this.pool.query(sql);
    });
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    if (this.#closing) throw storeClosedError(this.where);
    const conn = await run(this.where, () => this.pool.connect());
    let broken = false;
    try {
      await run(this.where, () => conn.query('BEGIN'));
      const result = await fn(transactionClient(conn, this.where));
      await run(this.where, () => conn.query('COMMIT'));
      return result;
    } catch (err) {
      await conn.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw err;
    } finally {
      // A connection that could not roll back is in an unknown state: destroy it, do not reuse it.
      conn.release(broken);
    }
  }

  close(): Promise<void> {
    this.#closing ??= run(this.where, () => this.pool.end());
    return this.#closing;
  }
}

function connectError(err: unknown, where: string): VapiError {
  const code = (err as { code?: unknown } | null)?.code;
  const reason = err instanceof Error ? err.message : String(err);
  if (code === '28P01' || code === '28000') {
    return new VapiError(`PostgreSQL at ${where} refused the credentials: ${reason}`, {
      code: 'VAPI_ERR_STORE_AUTH',
      category: 'auth',
      cause: err,
      fix: 'Check the user and password in store.url.',
    });
  }
  if (code === '3D000') {
    return new VapiError(`PostgreSQL at ${where}: ${reason}`, {
      code: 'VAPI_ERR_STORE_NO_DATABASE',
      category: 'invalid_request',
      cause: err,
      fix: 'Create the database (createdb <name>) or fix the database name in store.url.',
    });
  }
  return new VapiError(`Cannot connect to PostgreSQL at ${where}: ${reason}`, {
    code: 'VAPI_ERR_STORE_UNREACHABLE',
    category: 'connectivity',
    cause: err,
    fix: `Check that PostgreSQL is running and reachable at ${where}, and that store.url is right.`,
  });
}

/** Opens a pool and checks that the database answers; connection failures are VapiErrors. */
export async function openPostgresClient(options: PostgresClientOptions): Promise<SqlClient> {
  const where = describePostgresUrl(options.url);
  const pool = new pg.Pool({
    connectionString: options.url,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    types,
  });
  // An idle connection that drops emits 'error' on the pool; unhandled, it would crash the process.
  pool.on('error', (err) => options.log?.warn({ err, database: where }, 'idle PostgreSQL connection failed'));
  try {
    await pool.query('select 1');
  } catch (err) {
    await pool.end().catch(() => {});
    throw connectError(err, where);
  }
  return new PostgresClient(pool, where);
}
