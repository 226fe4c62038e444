/**
 * Versioned schema migrations: `NNN_name.sql` files applied in numeric order, each in its own
 * transaction and recorded in `schema_migrations`, so re-running applies only what is missing.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { VapiError, type Logger } from '@vapi-cn/sdk-plugin-api';
import type { SqlClient } from './sql-client.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export interface MigrateOptions {
  /** Folder of `NNN_name.sql` files. Default: the migrations shipped with the server. */
  dir?: string;
  log?: Logger;
}

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

// Any fixed number works; it only has to be the same on every node sharing the database.
const MIGRATION_LOCK_KEY = 7_215_532_013;

const FILE_PATTERN = /^(\d+)_([\w-]+)\.sql$/;

const CREATE_MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer     PRIMARY KEY,
    name       text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`;

function migrationError(message: string, details?: Record<string, unknown>, cause?: unknown): VapiError {
  return new VapiError(message, {
    code: 'VAPI_ERR_STORE_MIGRATION',
    category: 'server',
    retryable: false,
    cause,
    details,
    fix: 'The database was left at the last migration that succeeded. Fix the cause shown and restart the server.',
  });
}

/** The migrations in `dir`, in version order. Other files are ignored; a duplicate version is an error. */
export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  let files: string[];
  try {
    files = await readdir(dir);
  } catch (err) {
    throw migrationError(`Cannot read the migrations folder ${dir}`, { dir }, err);
  }
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = FILE_PATTERN.exec(file);
    if (!match) continue;
    migrations.push({ version: Number(match[1]), name: match[2]!, sql: await readFile(path.join(dir, file), 'utf8') });
  }
  migrations.sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.version === migrations[i - 1]!.version) {
      throw migrationError(`Two migrations have version ${migrations[i]!.version} in ${dir}`, { version: migrations[i]!.version });
    }
  }
  return migrations;
}

/**
 * Serialises migrators across nodes: the first to take the lock migrates, the others wait and
 * then find the work done. A transaction-scoped advisory lock is released on commit or rollback,
 * and by the server if the node dies, so it can never be left held.
 */
function lock(tx: SqlClient): Promise<unknown> {
  return tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
}

/** Applies the migrations the database lacks; returns those applied by this call. */
export async function migrate(client: SqlClient, options: MigrateOptions = {}): Promise<Migration[]> {
  const migrations = await readMigrations(options.dir);
  await client.transaction(async (tx) => {
    await lock(tx);
    await tx.exec(CREATE_MIGRATIONS_TABLE);
  });

  const applied: Migration[] = [];
  for (const migration of migrations) {
    const ran = await client.transaction(async (tx) => {
      await lock(tx);
      // Checked under the lock: another node may have applied it while we waited.
      const done = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
      if (done.length > 0) return false;
      try {
        await tx.exec(migration.sql);
      } catch (err) {
        const { version, name } = migration;
        throw migrationError(`Migration ${version}_${name} failed: ${err instanceof Error ? err.message : String(err)}`, { version, name }, err);
      }
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      return true;
    });
    if (ran) {
      applied.push(migration);
      options.log?.info({ version: migration.version, name: migration.name }, 'applied database migration');
    }
  }
  return applied;
}
