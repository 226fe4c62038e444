/**
 * The small SQL surface the store needs. PGlite and PostgreSQL both implement it, so the
 * repositories and migrations run unchanged on either.
 */
export type SqlDriver = 'pglite' | 'postgres';

/**
 * Query parameters. Objects are deliberately not accepted: pass JSON as `JSON.stringify(x)` with
 * a `$n::jsonb` cast, which both drivers treat the same way.
 */
export type SqlParam = string | number | boolean | Date | null;

export interface SqlClient {
  readonly driver: SqlDriver;
  /**
   * Runs one statement with `$1...` placeholders and returns its rows. Both drivers return int8
   * as number, timestamptz as Date and jsonb parsed. Failures are VapiErrors (VAPI_ERR_STORE_*).
   */
  query<R = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<R[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in a transaction on one connection: committed when it resolves, rolled back when it
   * throws (the error is rethrown unchanged). Inside, use only `tx`. A nested call joins the
   * enclosing transaction.
   */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  /** Idempotent. Later queries fail with VAPI_ERR_STORE_CLOSED. On a transaction's `tx`, a no-op. */
  close(): Promise<void>;
}
