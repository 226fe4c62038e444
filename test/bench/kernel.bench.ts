/**
 * bench:kernel — how fast the kernel gets to ready, and how fast it validates a large config.
 *   cold_start_ms        spawn `vapi-cn start` → /ready 200, fresh PGlite data dir (initdb included)
 *   warm_start_ms        the same on an existing data dir (a restart)
 *   boot_in_process_ms   Kernel.start() alone, in-memory store, 50 plugins
 *   validate_50_plugins_ms        planBoot() of a 50-plugin config (median; modules cached)
 *   validate_50_plugins_first_ms  the first planBoot(), which also imports the 50 modules
 * Medians over several runs; the last line is the JSON summary.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { planBoot, Kernel, resolveConfig } from '@vapi-cn/core';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(REPO, 'core/bin/vapi-cn.js');
const START_RUNS = Number(process.env.BENCH_START_RUNS ?? 3);
const VALIDATE_RUNS = Number(process.env.BENCH_VALIDATE_RUNS ?? 20);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round = (n: number) => Math.round(n * 10) / 10;

async function timeToReady(dataDir: string): Promise<number> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-cfg-'));
  const config = path.join(dir, 'config.yaml');
  await writeFile(config, `server: { port: 0 }\nlog: { level: info }\nstore: { dataDir: ${JSON.stringify(dataDir)} }\n`);
  const began = performance.now();
  const child = spawn(process.execPath, [BIN, 'start', '--config', config], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      const match = /"url":"(http:[^"]+)".*"msg":"server ready"/.exec(buffer);
      if (match) resolve(match[1]!);
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  while ((await fetch(`${url}/ready`)).status !== 200) await new Promise((r) => setTimeout(r, 5));
  const elapsed = performance.now() - began;
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return elapsed;
}

/** 50 plugins, each with a 6-field options schema; every fifth one requires its predecessor's ref. */
async function writeFiftyPlugins(): Promise<{ dir: string; config: Record<string, unknown> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-plugins-'));
  // As a vendor's folder would have it after `npm install <sdk>`: a link to the SDK.
  await mkdir(path.join(dir, 'node_modules/@vapi-cn'), { recursive: true });
  await symlink(path.join(REPO, 'sdk-plugin-api'), path.join(dir, 'node_modules/@vapi-cn/sdk-plugin-api'));
  const plugins: Record<string, unknown> = {};
  for (let i = 0; i < 50; i++) {
    const id = `bench-plugin-${i}`;
    await mkdir(path.join(dir, id));
    const needs = i % 5 === 4 ? `requires: { previous: createRef('bench.ref-${i - 1}') },` : '';
    await writeFile(
      path.join(dir, id, 'index.ts'),
      `import { createRef, definePlugin, Type } from '@vapi-cn/sdk-plugin-api';
const ref = createRef<string>('bench.ref-${i}');
export default definePlugin({
  id: '${id}', version: '1.0.0', apiVersion: '^1.0.0',
  configSchema: Type.Object({
    url: Type.String({ format: 'uri', default: 'https://example.com' }),
    apiKey: Type.String({ minLength: 1 }),
    timeoutMs: Type.Integer({ minimum: 1, default: 5000 }),
    voices: Type.Array(Type.String(), { default: [] }),
    mode: Type.Union([Type.Literal('fast'), Type.Literal('accurate')], { default: 'fast' }),
    retry: Type.Object({ attempts: Type.Integer({ default: 3 }), backoffMs: Type.Integer({ default: 100 }) }, { default: {} }),
  }, { additionalProperties: false }),
  provides: [ref], ${needs}
  setup(ctx) { ctx.provide(ref, '${id}'); },
});
`,
    );
    plugins[id] = { from: `./${id}/index.ts`, options: { apiKey: `key-${i}`, timeoutMs: '2500', voices: ['a', 'b'] } };
  }
  return { dir, config: { server: { port: 0 }, store: { dataDir: 'memory://' }, auth: { enabled: false }, plugins } };
}

const silent = new Writable({ write: (_c, _e, done) => done() });

console.log(`bench:kernel on ${os.cpus().length} cores, node ${process.version}`);

const cold: number[] = [];
const warm: number[] = [];
for (let i = 0; i < START_RUNS; i++) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bench-data-'));
  cold.push(await timeToReady(dataDir));
  warm.push(await timeToReady(dataDir));
}
console.log(`cold start to ready (fresh data dir): ${cold.map(round).join(', ')} ms`);
console.log(`warm start to ready (existing data dir): ${warm.map(round).join(', ')} ms`);

const { dir, config } = await writeFiftyPlugins();
const loaded = () => resolveConfig(config, dir, '<bench>', { env: {} });
let began = performance.now();
await planBoot(loaded());
const firstValidate = performance.now() - began;
const validations: number[] = [];
for (let i = 0; i < VALIDATE_RUNS; i++) {
  began = performance.now();
  await planBoot(loaded());
  validations.push(performance.now() - began);
}
console.log(`validate a 50-plugin config: first ${round(firstValidate)} ms (imports), then median ${round(median(validations))} ms over ${VALIDATE_RUNS}`);

const plan = await planBoot(loaded());
const boots: number[] = [];
for (let i = 0; i < START_RUNS; i++) {
  began = performance.now();
  const kernel = await Kernel.start(plan, { logDestination: silent, defaultMetrics: false });
  boots.push(performance.now() - began);
  await kernel.stop();
}
console.log(`Kernel.start() with 50 plugins, in-memory store: ${boots.map(round).join(', ')} ms`);

console.log(
  JSON.stringify({
    bench: 'kernel',
    cold_start_ms: round(median(cold)),
    warm_start_ms: round(median(warm)),
    boot_in_process_ms: round(median(boots)),
    validate_50_plugins_ms: round(median(validations)),
    validate_50_plugins_first_ms: round(firstValidate),
  }),
);
