/** Shared test helpers: configs on in-memory PGlite, kernels on ephemeral ports, silent logs. */
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { resolveConfig, type LoadedConfig } from '../src/config/load-config.js';
import { planBoot } from '../src/kernel/boot-plan.js';
import { Kernel, type KernelOptions } from '../src/kernel/kernel.js';

export const FIXTURE_PLUGINS = fileURLToPath(new URL('./fixtures/plugins/', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** A config object on in-memory PGlite and an ephemeral port, auth off unless asked. */
export function testConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    server: { host: '127.0.0.1', port: 0, drainTimeoutMs: 2000 },
    log: { level: 'info' },
    store: { driver: 'pglite', dataDir: 'memory://' },
    auth: { enabled: false },
    ...overrides,
  };
}

export function loadTestConfig(raw: Record<string, unknown>, env: Record<string, string | undefined> = {}): LoadedConfig {
  return resolveConfig(raw, FIXTURES, '<test>', { env });
}

/** Collects log lines as parsed JSON objects. */
export function captureLogs(): { stream: Writable; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { stream, lines };
}

export async function startKernel(t: Teardown, raw: Record<string, unknown>, env: Record<string, string | undefined> = {}, options: KernelOptions = {}) {
  const logs = captureLogs();
  const plan = await planBoot(loadTestConfig(raw, env), { builtinDir: FIXTURE_PLUGINS });
  const kernel = await Kernel.start(plan, { logDestination: logs.stream, defaultMetrics: false, ...options });
  t.teardown(() => kernel.stop('test-end'));
  return { kernel, logs };
}
