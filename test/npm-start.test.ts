/**
 * The README's contract: `npm start` on the embedded defaults serves /health and /ready, exits
 * cleanly on SIGTERM, and on its first start (no API key in the store) prints one line with the
 * console URL carrying a new key: printed once, a key that works, never in the logs.
 */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const KEY_LINE = /^Open the console: (http:\/\/127\.0\.0\.1:\d+\/#key=(vk_[\w-]+))\s/;

interface Started {
  url: string;
  /** Every stdout line so far: pino's JSON records and anything else. */
  stdout: string[];
  stderr(): string;
  /** Resolves with the first stdout line matching, or undefined after `ms`. */
  line(match: RegExp, ms: number): Promise<string | undefined>;
  /** SIGTERM; resolves with the exit code once stdout is closed. */
  stop(): Promise<number | null>;
}

async function npmStart(t: Test, dataDir: string): Promise<Started> {
  const child = spawn('npm', ['start', '--silent'], {
    cwd: REPO,
    env: { ...process.env, PORT: '0', VAPI_CN_DATA_DIR: dataDir, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => child.kill('SIGKILL'));
  const stdout: string[] = [];
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stderr.on('data', (d) => (stderr += d));
  let buffer = '';
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    let newline;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      stdout.push(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
    }
    for (const wake of waiters) wake();
  });
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const records = () => stdout.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  const line = (match: RegExp, ms: number) =>
    new Promise<string | undefined>((resolve) => {
      const check = () => {
        const found = stdout.find((l) => match.test(l));
        if (found === undefined) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        resolve(undefined);
      }, ms);
      waiters.add(check);
      check();
    });
  const ready = await Promise.race([
    line(/"msg":"server ready"/, 120_000),
    closed.then((code) => {
      throw new Error(`exited ${code} before ready: ${stderr}`);
    }),
  ]);
  if (!ready) throw new Error(`not ready: ${stdout.join('\n')}\n${stderr}`);
  const url = records().find((r) => r.msg === 'server ready')!.url as string;
  return {
    url,
    stdout,
    stderr: () => stderr,
    line,
    async stop() {
      child.kill('SIGTERM');
      return closed;
    },
  };
}

t.test('npm start: ready on embedded defaults, the first-start console URL once, clean exit on SIGTERM', async (t) => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vapi-start-'));
  const began = Date.now();
  const first = await npmStart(t, dataDir);
  t.comment(`ready after ${Date.now() - began} ms (includes npm, tsx and PGlite first open)`);
  t.equal((await fetch(`${first.url}/health`)).status, 200);
  t.equal((await fetch(`${first.url}/ready`)).status, 200);

  const printed = await first.line(/#key=/, 10_000);
  const match = printed?.match(KEY_LINE);
  t.ok(match, `one plain line with the console URL: ${printed?.replace(/vk_[\w-]+/, 'vk_…')}`);
  const [, consoleUrl, key] = match ?? [];
  t.equal(new URL(consoleUrl ?? 'http://x/').port, new URL(first.url).port, 'on the port the server listens on');
  const assistants = await fetch(`${first.url}/v1/assistants`, { headers: { authorization: `Bearer ${key}` } });
  t.equal(assistants.status, 200, 'the key works');
  t.ok(((await assistants.json()) as Array<{ id: string }>).some((a) => a.id === 'demo'), 'and lists the demo assistant');
  t.equal((await fetch(`${first.url}/v1/assistants`)).status, 401, 'a key is still required');
  const page = await fetch(`${consoleUrl}`);
  t.equal(page.status, 200, 'the URL opens the console');

  t.equal(await first.stop(), 0, 'exits 0 on SIGTERM');
  const records = first.stdout.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  t.ok(records.some((r) => r.msg === 'stopped'), 'logged the stop');
  t.equal(first.stdout.filter((l) => l.includes('#key=')).length, 1, 'the URL is printed once');
  t.notOk(first.stdout.some((l) => l.startsWith('{') && l.includes(key!)), 'no log record holds the key');
  t.notOk(first.stderr().includes(key!), 'nor stderr');
  const created = records.find((r) => typeof r.msg === 'string' && r.msg.startsWith('first start: created an API key'));
  t.type(created?.apiKeyId, 'string', 'the log says a key was made, by id only');
  t.equal(first.stderr().trim(), '', 'nothing on stderr');

  const second = await npmStart(t, dataDir);
  const kept = await fetch(`${second.url}/v1/api-keys`, { headers: { authorization: `Bearer ${key}` } });
  t.equal(kept.status, 200, 'the first key still works on the next start');
  t.equal(((await kept.json()) as unknown[]).length, 1, 'and no other key was made');
  t.equal(await second.stop(), 0);
  t.notOk(second.stdout.some((l) => l.includes('#key=')), 'a later start prints no key');
  t.same(second.stdout.filter((l) => l.trim() && !l.startsWith('{')), [], 'nothing but log records on stdout');
  t.equal(second.stderr().trim(), '', 'nothing on stderr');
});
