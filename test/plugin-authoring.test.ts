/**
 * Runs docs/plugin-authoring.md as written: the shell steps, the files, the config. The plugin is
 * built in a temporary folder outside this repository and loaded by config path.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import t from 'tap';
import { providerRefs } from '@vapi-cn/sdk-plugin-api';
import { loadConfigFile, planBoot, Kernel } from '@vapi-cn/core';
import { captureLogs } from '../core/test/helpers.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../', import.meta.url));
const doc = await readFile(path.join(REPO, 'docs/plugin-authoring.md'), 'utf8');

/** Fenced blocks tagged `title=NAME` (commands) or `file=PATH` (files to write). */
function block(tag: string): string {
  const match = new RegExp('```\\w+ ' + tag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '\\n([\\s\\S]*?)```').exec(doc);
  if (!match) throw new Error(`docs/plugin-authoring.md has no block tagged ${tag}`);
  return match[1]!;
}

const shell = (script: string, cwd: string, env: Record<string, string> = {}) =>
  run('bash', ['-euo', 'pipefail', '-c', script], { cwd, env: { ...process.env, VAPI_CN_DIR: REPO, ...env } }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

const work = await mkdtemp(path.join(os.tmpdir(), 'vendor-'));

t.test('the walk-through builds, checks and loads a plugin from outside the repo', async (t) => {
  const setup = await shell(block('title=setup'), work);
  t.equal(setup.code, 0, setup.stderr);
  for (const file of ['acme-tts/src/index.ts', 'acme-tts/test/conformance.test.ts', 'server.yaml']) {
    await mkdir(path.dirname(path.join(work, file)), { recursive: true });
    await writeFile(path.join(work, file), block(`file=${file}`));
  }
  t.notOk(path.join(work, 'acme-tts').startsWith(REPO), 'the plugin lives outside the repository');

  const check = await shell(block('title=check'), work);
  t.equal(check.code, 0, check.stderr);
  t.match(check.stdout, '✓ server.yaml is valid: 1 plugin (start order: tts-acme)');

  const noKey = await shell(block('title=check').replace('ACME_API_KEY=secret ', ''), work);
  t.equal(noKey.code, 1);
  t.match(noKey.stderr, /plugins\.tts-acme\.options\.apiKey: environment variable ACME_API_KEY is not set/);

  await writeFile(path.join(work, 'bad.yaml'), block('file=server.yaml').replace('toneHz: 880', 'toneHz: loud'));
  const bad = await shell(block('title=check').replace('server.yaml', 'bad.yaml'), work);
  t.equal(bad.code, 1);
  const documented = /```\n(✗ .*\n  fix: .*)\n```/.exec(doc)![1]!;
  for (const line of documented.split('\n')) t.match(bad.stderr, line.trim(), 'the error the doc shows is the error you get');

  const conformance = await shell(block('title=conformance'), work);
  t.equal(conformance.code, 0, `${conformance.stdout}\n${conformance.stderr}`);
  t.match(conformance.stdout, /# pass [1-9]/, 'the conformance cases pass');
  t.match(conformance.stdout, /# fail 0/);

  const listed = await shell('npx --prefix "$VAPI_CN_DIR" vapi-cn plugins --config server.yaml', work, { ACME_API_KEY: 'secret' });
  t.match(listed.stdout, /tts-acme\s+0\.1\.0\s+path\s+providers\.tts/);

  // Boot the server on the config and use the provider it registered.
  const logs = captureLogs();
  const config = await loadConfigFile(path.join(work, 'server.yaml'), { env: { ACME_API_KEY: 'secret-key-value', PORT: '0' } });
  const kernel = await Kernel.start(await planBoot(config), { logDestination: logs.stream, defaultMetrics: false });
  t.teardown(() => kernel.stop());
  const tts = kernel.container.collection(providerRefs.tts).get('acme');
  t.ok(tts, 'the provided ref resolves');
  const frames = [];
  for await (const frame of tts!.synthesize('hello big world', { sampleRate: 16000 })) frames.push(frame);
  t.equal(frames.length, 15, '3 words x 100 ms in 20 ms frames');
  t.equal(frames[0]!.samples.length, 320);
  const crossings = frames.flatMap((f) => [...f.samples]).reduce((n, s, i, all) => n + (i > 0 && all[i - 1]! < 0 && s >= 0 ? 1 : 0), 0);
  t.ok(Math.abs(crossings / 0.3 - 880) < 10, `validated option toneHz=880 reached the plugin (measured ${crossings / 0.3} Hz)`);
  t.match(logs.lines.find((l) => l.msg === 'acme TTS ready'), { plugin: 'tts-acme', toneHz: 880, wordMs: 100 }, 'child logger with the plugin id; defaults applied');
  t.notMatch(JSON.stringify(logs.lines), /secret-key-value/);
});
