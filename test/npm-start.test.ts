/**
 * The README's contract: `npm start` on the embedded defaults serves /health and /ready, and exits
 * cleanly on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const REPO = fileURLToPath(new URL('../', import.meta.url));

t.test('npm start: ready on embedded defaults, clean exit on SIGTERM', async (t) => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vapi-start-'));
  const began = Date.now();
  const child = spawn('npm', ['start', '--silent'], {
    cwd: REPO,
    env: { ...process.env, PORT: '0', VAPI_CN_DATA_DIR: dataDir, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => child.kill('SIGKILL'));
  const lines: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const ready = new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      let newline;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (!line.startsWith('{')) continue;
        const parsed = JSON.parse(line) as Record<string, unknown>;
        lines.push(parsed);
        if (parsed.msg === 'server ready') resolve(parsed.url as string);
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before ready: ${stderr}`)));
  });
  const url = await ready;
  t.comment(`ready after ${Date.now() - began} ms (includes npm, tsx and PGlite first open)`);
  t.equal((await fetch(`${url}/health`)).status, 200);
  t.equal((await fetch(`${url}/ready`)).status, 200);
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  t.equal(await exit, 0, 'exits 0 on SIGTERM');
  t.ok(lines.some((l) => l.msg === 'stopped'), 'logged the stop');
  t.equal(stderr.trim(), '', 'nothing on stderr');
});
