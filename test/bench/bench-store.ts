/**
 * The store a benchmark runs on: PostgreSQL, as in production, when it is reachable
 * (TEST_POSTGRES_URL, default 127.0.0.1:5432; a throwaway database, dropped afterwards);
 * BENCH_STORE=pglite measures the embedded default, whose queries run on the server's own event
 * loop and cost CPU on this machine's two cores.
 */
export interface BenchStore {
  /** The `store:` section of the server config. */
  config: Record<string, unknown>;
  label: 'PostgreSQL' | 'PGlite';
  drop(): Promise<void>;
}

async function postgresReachable(url: string): Promise<boolean> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

export async function benchStore(): Promise<BenchStore> {
  const pglite: BenchStore = { config: { driver: 'pglite', dataDir: 'memory://' }, label: 'PGlite', drop: async () => {} };
  if (process.env.BENCH_STORE === 'pglite') return pglite;
  const admin = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  if (!(await postgresReachable(admin))) {
    console.log(`PostgreSQL is not reachable at ${admin}: measuring with the embedded PGlite`);
    return pglite;
  }
  const { default: pg } = await import('pg');
  const name = `vapi_bench_${process.pid}`;
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { config: { driver: 'postgres', url: url.toString() }, label: 'PostgreSQL', drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
