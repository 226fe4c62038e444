/**
 * Real-browser end-to-end tests: headless Debian Chromium driven through playwright-core, with the
 * whole test process (server under test, Chromium) inside a network namespace that has only `lo`,
 * so nothing the browser does can leave the machine.
 *
 *   import t from 'tap';
 *   import { launchBrowser, runInLoopbackNamespace } from './browser.js';   // (test/browser/)
 *
 *   const ns = await runInLoopbackNamespace(import.meta.url);  // outside: re-runs this file inside
 *   t.test('console call', { skip: ns.skip }, async (t) => {
 *     const browser = await launchBrowser({ fakeMicWav: wavBytes });
 *     t.teardown(() => browser.close());
 *     const page = await browser.newPage();
 *     await page.goto(`http://127.0.0.1:${port}/`);            // serve pages from the server under test
 *   });
 *
 * Environment: VAPI_CN_CHROMIUM (default /usr/bin/chromium); VAPI_CN_BROWSER_TESTS=require turns a
 * missing prerequisite (root, `ip`, Chromium) into a failure instead of a skip (.ci/run sets it);
 * VAPI_CN_BROWSER_DEBUG=1 echoes page console, page errors and failed requests to stderr.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.VAPI_CN_CHROMIUM || '/usr/bin/chromium';

/** Set in the re-executed test process: the namespace it runs in. */
const NETNS_ENV = 'VAPI_CN_BROWSER_NETNS';
const REQUIRE_ENV = 'VAPI_CN_BROWSER_TESTS';
const DEBUG_ENV = 'VAPI_CN_BROWSER_DEBUG';
/** Start-up of the inner process, plus the 10 s tap gives a timed-out process before killing itself. */
const INNER_TIMEOUT_GRACE_MS = 20_000;

/** Flags from docs (toolchain notes, "WebRTC with a real browser"). Playwright passes some too: repeats are harmless. */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--allow-loopback-in-peer-connection',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-proxy-server',
];

/** Merged with Playwright's own list into the single --disable-features flag Chromium keeps. */
export const DISABLED_FEATURES: readonly string[] = ['WebRtcHideLocalIpsWithMdns'];

// ---------------------------------------------------------------------------------------------
// Loopback-only network namespace

export interface LoopbackNamespace {
  /** false when the browser test can run; otherwise why not (give it to tap: `{ skip: ns.skip }`). */
  skip: string | false;
  /** The namespace this process runs in ('' when it was already isolated, or when skipped). */
  name: string;
}

/**
 * Call at the top of a browser test file with `import.meta.url`, before any test.
 * - Inside the namespace (or in a process that already sees only loopback interfaces): resolves at
 *   once, after checking that no other interface is visible.
 * - Outside: creates a namespace with only `lo` up, re-runs this test file in it with
 *   `ip netns exec` (same node flags, arguments and environment; stdio shared, so tap reads the
 *   inner TAP stream), exits with its exit code and never resolves. The namespace is deleted as soon
 *   as the inner process has entered it (it lives on, unnamed, until its last process exits).
 * - Prerequisites missing (Linux, root, `ip`, Chromium): resolves `{ skip: reason }`, or throws
 *   when VAPI_CN_BROWSER_TESTS=require.
 */
export async function runInLoopbackNamespace(testFileUrl: string): Promise<LoopbackNamespace> {
  const inside = process.env[NETNS_ENV];
  const leaks = nonLoopbackInterfaces();
  if (inside !== undefined) {
    if (leaks.length) throw new Error(`${NETNS_ENV}=${inside}, but this process sees non-loopback interfaces: ${leaks.join(', ')}`);
    return { skip: skipOrThrow(chromiumMissing()), name: inside };
  }
  if (leaks.length === 0) return { skip: skipOrThrow(chromiumMissing()), name: '' };

  const missing = namespaceMissing() ?? chromiumMissing();
  if (missing) return { skip: skipOrThrow(missing), name: '' };
  const name = `vapicn-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const created = createNamespace(name);
  if (created) return { skip: skipOrThrow(created), name: '' };
  // The inner process keeps the full TAP_TIMEOUT and reports its own timeout; push this process's
  // deadline (its tap root and the runner's watchdog) past that, or both would print a timeout.
  const timeout = Number(process.env.TAP_TIMEOUT || '30') * 1000;
  if (timeout > 0) (await import('tap')).default.setTimeout(timeout + INNER_TIMEOUT_GRACE_MS);
  reexecInside(name, fileURLToPath(testFileUrl));
  return new Promise<never>(() => {});
}

/** Interfaces with a non-internal address: empty inside a loopback-only namespace. */
function nonLoopbackInterfaces(): string[] {
  return Object.entries(os.networkInterfaces())
    .filter(([, addresses]) => (addresses ?? []).some((a) => !a.internal))
    .map(([name]) => name);
}

function skipOrThrow(reason: string | undefined): string | false {
  if (!reason) return false;
  if (process.env[REQUIRE_ENV] === 'require') throw new Error(`browser test cannot run: ${reason} (${REQUIRE_ENV}=require)`);
  return reason;
}

/** Why Chromium cannot be started, or undefined. */
export function chromiumMissing(executablePath = CHROMIUM_PATH): string | undefined {
  try {
    accessSync(executablePath, constants.X_OK);
    return undefined;
  } catch {
    return `no Chromium at ${executablePath}: apt-get install chromium (.ci/run does), or set VAPI_CN_CHROMIUM`;
  }
}

function namespaceMissing(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces need Linux, this is ${process.platform}`;
  if (process.getuid?.() !== 0) {
    return 'creating a network namespace needs root (or run the test yourself where only lo exists: ip netns exec NS node ...)';
  }
  if (spawnSync('ip', ['-V']).error) return 'the `ip` command is missing: apt-get install iproute2';
  return undefined;
}

/** Creates the namespace with lo up; returns why it failed, or undefined. */
function createNamespace(name: string): string | undefined {
  const add = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8' });
  if (add.status !== 0) return `ip netns add failed: ${(add.stderr || String(add.error)).trim()}`;
  const up = spawnSync('ip', ['-n', name, 'link', 'set', 'lo', 'up'], { encoding: 'utf8' });
  if (up.status !== 0) {
    deleteNamespace(name);
    return `ip -n ${name} link set lo up failed: ${up.stderr.trim()}`;
  }
  return undefined;
}

function deleteNamespace(name: string): void {
  spawnSync('ip', ['netns', 'delete', name], { stdio: 'ignore' });
}

function reexecInside(name: string, testFile: string): void {
  const env: NodeJS.ProcessEnv = { ...process.env, [NETNS_ENV]: name };
  const child = spawn('ip', ['netns', 'exec', name, process.execPath, ...process.execArgv, testFile, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env,
  });
  let named = true;
  const unname = () => {
    if (named) deleteNamespace(name);
    named = false;
  };
  const alive = () => child.exitCode === null && child.signalCode === null;
  // `ip netns exec` enters the namespace and then execs node: once the child's net namespace
  // differs from ours it no longer needs the name, so a killed parent cannot leak it.
  const ownNet = readlinkSync('/proc/self/ns/net');
  const started = Date.now();
  const poll = setInterval(() => {
    let entered = false;
    try {
      entered = readlinkSync(`/proc/${child.pid}/ns/net`) !== ownNet;
    } catch {
      // not started yet, or gone (the exit handler cleans up)
    }
    if (entered || !alive() || Date.now() - started > 10_000) {
      clearInterval(poll);
      unname();
    }
  }, 5);
  process.on('exit', () => {
    if (alive()) child.kill('SIGKILL');
    unname();
  });
  // Forward what the runner or a terminal sends; tap's own SIGALRM on timeout SIGKILLs us 500 ms later.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGALRM'] as const) {
    process.on(signal, () => {
      if (!alive()) return;
      child.kill(signal);
      setTimeout(() => alive() && child.kill('SIGKILL'), signal === 'SIGALRM' ? 300 : 5000).unref();
    });
  }
  child.on('error', (err) => {
    process.stderr.write(`could not run the test in network namespace ${name}: ${err.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal) process.stderr.write(`test process in network namespace ${name} was killed by ${signal}\n`);
    process.exit(code ?? 1);
  });
}

// ---------------------------------------------------------------------------------------------
// Chromium

export interface LaunchBrowserOptions {
  /** The microphone: a WAV file path, or WAV bytes (written to a temp file). Chromium loops it. Default: Chromium's fake beep. */
  fakeMicWav?: string | Uint8Array;
  /** Extra Chromium flags. --disable-features / --enable-features are merged, not replaced. */
  args?: string[];
  executablePath?: string;
}

export interface LaunchedBrowser {
  browser: Browser;
  /** A page in a fresh context; its console, page errors and failed requests go to `logs`. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
  /** Collected page output: print it when a test fails (`t.comment(browser.logs.join('\n'))`). */
  logs: string[];
  /** The command line given to the Chromium executable, one argument per entry, after merging (Debian's launcher adds /etc/chromium.d flags in front). */
  argv: string[];
  /** The fresh profile Playwright made for this launch; gone after close(). */
  userDataDir: string;
  /** Closes the browser and removes the temp files; safe to call twice. */
  close(): Promise<void>;
}

export async function launchBrowser(options: LaunchBrowserOptions = {}): Promise<LaunchedBrowser> {
  const executablePath = options.executablePath ?? CHROMIUM_PATH;
  const missing = chromiumMissing(executablePath);
  if (missing) throw new Error(missing);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vapi-cn-browser-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);
  try {
    const args = [...CHROMIUM_FLAGS, `--disable-features=${DISABLED_FEATURES.join(',')}`];
    if (options.fakeMicWav !== undefined) {
      let wav: string;
      if (typeof options.fakeMicWav === 'string') {
        wav = path.resolve(options.fakeMicWav);
        if (!existsSync(wav)) throw new Error(`fakeMicWav: no file ${wav}`);
      } else {
        wav = path.join(dir, 'mic.wav');
        writeFileSync(wav, options.fakeMicWav);
      }
      args.push(`--use-file-for-fake-audio-capture=${wav}`);
    }
    args.push(...(options.args ?? []));
    const wrapper = writeWrapper(dir, executablePath);
    // Playwright makes a fresh --user-data-dir per launch and deletes it on close (it refuses one in
    // args). The XDG dirs keep what Chromium writes outside its profile (crash database, PulseAudio
    // client state in ~/.config/pulse and /tmp/pulse-*) in the temp dir. Playwright's own signal
    // handlers close the browser but leave the process running: onSignal closes and then exits.
    const xdg = (name: string) => {
      const d = path.join(dir, name);
      mkdirSync(d, { mode: 0o700 });
      return d;
    };
    const env = { ...process.env, XDG_CONFIG_HOME: xdg('config'), XDG_CACHE_HOME: xdg('cache'), XDG_RUNTIME_DIR: xdg('run') };
    const browser = await chromium.launch({
      executablePath: wrapper,
      headless: true,
      args,
      timeout: 30_000,
      env,
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    const argv = readFileSync(path.join(dir, 'argv'), 'utf8').split('\n').filter(Boolean);
    const userDataDir = argv.find((a) => a.startsWith('--user-data-dir='))?.slice('--user-data-dir='.length) ?? '';
    const logs: string[] = [];
    const log = (line: string) => {
      logs.push(line);
      if (process.env[DEBUG_ENV]) process.stderr.write(`[browser] ${line}\n`);
    };
    let closed = false;
    const handle: LaunchedBrowser = {
      browser,
      logs,
      argv,
      userDataDir,
      async newPage(contextOptions) {
        const context = await browser.newContext(contextOptions);
        const page = await context.newPage();
        page.on('console', (m) => log(`console.${m.type()}: ${m.text()}`));
        page.on('pageerror', (e) => log(`pageerror: ${e.message}`));
        page.on('requestfailed', (r) => log(`requestfailed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`));
        return page;
      },
      async close() {
        if (closed) return;
        closed = true;
        try {
          await browser.close();
        } finally {
          removeDir();
          process.removeListener('exit', removeDir);
          untrack(handle);
        }
      },
    };
    track(handle);
    return handle;
  } catch (err) {
    removeDir();
    process.removeListener('exit', removeDir);
    throw err;
  }
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const openBrowsers = new Set<LaunchedBrowser>();

function track(browser: LaunchedBrowser): void {
  if (openBrowsers.size === 0) for (const s of SIGNALS) process.on(s, onSignal);
  openBrowsers.add(browser);
}

function untrack(browser: LaunchedBrowser): void {
  openBrowsers.delete(browser);
  if (openBrowsers.size === 0) for (const s of SIGNALS) process.removeListener(s, onSignal);
}

/** Close every browser (profiles and temp files go with them), then die of the same signal. */
function onSignal(signal: NodeJS.Signals): void {
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  const closing = [...openBrowsers].map((b) => b.close());
  void Promise.race([Promise.allSettled(closing), new Promise((resolve) => setTimeout(resolve, 3000))]).then(() =>
    process.kill(process.pid, signal),
  );
}

/**
 * Chromium keeps only the last --disable-features (and --enable-features) flag, and Playwright
 * passes its own list before ours: this wrapper merges each into one flag, records the final
 * command line in DIR/argv, and execs Chromium (Playwright's pipe fds 3 and 4 are inherited).
 */
function writeWrapper(dir: string, executablePath: string): string {
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const script = `#!/bin/sh
disable=
enable=
for arg do
  shift
  case $arg in
    --disable-features=*) disable="\${disable:+$disable,}\${arg#--disable-features=}" ;;
    --enable-features=*) enable="\${enable:+$enable,}\${arg#--enable-features=}" ;;
    *) set -- "$@" "$arg" ;;
  esac
done
if [ -n "$disable" ]; then set -- "$@" "--disable-features=$disable"; fi
if [ -n "$enable" ]; then set -- "$@" "--enable-features=$enable"; fi
printf '%s\\n' ${quote(executablePath)} "$@" > ${quote(path.join(dir, 'argv'))}
exec ${quote(executablePath)} "$@"
`;
  const file = path.join(dir, 'chromium');
  writeFileSync(file, script, { mode: 0o755 });
  return file;
}
