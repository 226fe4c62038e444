/**
 * bench:transport — concurrent calls through the real server's web transports, with the bot talking
 * the whole time while the caller streams audio at real time:
 *   WebSocket PCM  BENCH_WS_CALLS (default 300) voice-API calls, PCM16 at 16 kHz both ways
 *   WebRTC         BENCH_WEBRTC_CALLS (default 50) calls from werift client peers, Opus over
 *                  DTLS-SRTP at 48 kHz, signalled over the voice WebSocket
 * The two kinds run one after the other (BENCH_TOGETHER=1: both at once), each for BENCH_SECONDS
 * (default 30) of measurement after every call hears the bot. Server: transport-websocket,
 * transport-webrtc, codec-opus, codec-g711, the engine with stage-vad-webrtc, stage-resample-speex
 * and stage-pacer, the testkit's fake providers, and the store on in-memory PGlite. The assistant
 * speaks first, a message longer than the run (bench-providers.ts: 24 or 16 kHz, 100 ms chunks at 1.25x real
 * time), so bot audio flows throughout; the caller sends low noise, under the VAD's threshold.
 *
 * Each kind gets a fresh server process (this file, forked with BENCH_TRANSPORT_SERVER set), so
 * one kind's heap does not carry into the other's RSS; the clients run in a child process of their
 * own (transport-clients.ts), so the server's `process.cpuUsage()` is the server's alone. All the
 * processes share the machine's cores. Measured:
 *   frame lateness  on the client: each 20 ms bot frame's arrival against its ideal slot on the
 *                   call's 20 ms grid (see transport-clients.ts); p99 over all frames of all calls
 *   CPU             server process CPU ms per call-second over the window
 *   RSS             server RSS (peak in the window − before the calls) per call
 *   failed calls    no bot audio, an error, an early close, or under 90% of the frames expected
 * Also printed: the server's event-loop busy share and delay, GC pauses, the clients' CPU and
 * event-loop delay (their timestamps are only as good as their loop), and the machine's other load
 * (all cores' busy time from /proc/stat minus server and clients): on a shared machine a run with
 * other load is not a measurement of this server.
 * Diagnosis: BENCH_CPU_PROF=<dir> writes the server's CPU profile of each window; BENCH_HEAP_PROF=<dir>
 * a sampling heap profile of what outlives young-generation GCs; BENCH_DEBUG=1 lists stalls, long GC
 * pauses and frame gaps; BENCH_OPUS_COMPLEXITY and BENCH_OPUS_APPLICATION set codec-opus's encoder
 * effort (default 5) and application (default audio: CELT, as no loss is reported on loopback).
 * BENCH_FLOOR=1 runs the same clients against transport-floor.ts instead: a server with no engine,
 * the floor of what these calls cost on the machine (the real server's figures are that plus the engine's).
 * Last line: one JSON object; its top-level lateness, CPU and RSS are the worse of the two kinds.
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { coreRefs } from '@vapi-cn/sdk-plugin-api';
import { resolveConfig } from '@vapi-cn/core';
import { benchProviders, longSpeech, startWithBenchProviders } from './bench-providers.js';
import { ServerWindow, type WindowStats } from './server-window.js';
import { startFloorServer } from './transport-floor.js';
import type { ClientsConfig, ClientsResult, KindResult } from './transport-clients.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const WS_CALLS = Number(process.env.BENCH_WS_CALLS ?? 300);
const WEBRTC_CALLS = Number(process.env.BENCH_WEBRTC_CALLS ?? 50);
const TOGETHER = process.env.BENCH_TOGETHER === '1';
const CPU_PROF = process.env.BENCH_CPU_PROF;
const HEAP_PROF = process.env.BENCH_HEAP_PROF;
const DEBUG = Boolean(process.env.BENCH_DEBUG);
const FLOOR = process.env.BENCH_FLOOR === '1';
const WS_RATE = 16000;
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLIENTS = fileURLToPath(new URL('./transport-clients.ts', import.meta.url));

interface Phase extends WindowStats {
  wsCalls: number;
  webrtcCalls: number;
  clients: ClientsResult;
  warnLogs: number;
}

// ---- the server process: one phase ------------------------------------------------------------

// The caller never says anything; should the VAD fire, there are no words and the bot goes on.
// TTS at 24 kHz for WebRTC's legs, 16 kHz as is for the PCM calls.
const providers = benchProviders({ sttText: '', llmScript: ['Sure.'], ttsRates: [24000, 16000] });

/** The real server: the kernel with the transports, the media stages and the bench providers. */
async function startEngineServer(logSink: Writable): Promise<{ url: string; stop(): Promise<void> }> {
  const plugin = (id: string, options: Record<string, unknown> = {}) => [id, { from: `${REPO}plugins/${id}`, options }] as const;
  const config = resolveConfig(
    {
      server: { host: '127.0.0.1', port: 0, drainTimeoutMs: 1000 },
      log: { level: 'warn' },
      store: { driver: 'pglite', dataDir: 'memory://' },
      auth: { enabled: false },
      plugins: Object.fromEntries([
        plugin('stage-vad-webrtc'),
        plugin('stage-resample-speex'),
        plugin('stage-pacer'),
        plugin('codec-opus', {
          ...(process.env.BENCH_OPUS_COMPLEXITY ? { complexity: Number(process.env.BENCH_OPUS_COMPLEXITY) } : {}),
          ...(process.env.BENCH_OPUS_APPLICATION ? { application: process.env.BENCH_OPUS_APPLICATION } : {}),
        }),
        plugin('codec-g711'),
        plugin('transport-websocket'),
        plugin('transport-webrtc', { bindAddress: '127.0.0.1', ...(process.env.BENCH_MEDIA_WORKERS ? { mediaWorkers: Number(process.env.BENCH_MEDIA_WORKERS) } : {}) }),
      ]),
    },
    REPO,
    '<bench>',
    { env: {} },
  );
  const kernel = await startWithBenchProviders(config, providers, logSink);
  const store = kernel.resolve(coreRefs.store);
  await store.assistants.create({
    id: 'bench',
    name: 'Bench',
    config: { firstMessageMode: 'assistant-first', firstMessage: longSpeech(SECONDS + 90, 'greeting'), stt: { provider: 'fake' }, llm: { provider: 'fake' }, tts: { provider: 'fake' } },
  });
  return { url: kernel.url.replace(/^http/, 'ws'), stop: () => kernel.stop('bench-end') };
}

async function serve(wsCalls: number, webrtcCalls: number): Promise<Phase> {
  let logLines = 0;
  const firstLogs: string[] = [];
  const logSink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) {
        if (!line.trim()) continue;
        logLines++;
        if (firstLogs.length < 5) firstLogs.push(line.slice(0, 400));
      }
      done();
    },
  });
  const server = FLOOR ? await startFloorServer() : await startEngineServer(logSink);
  const window = new ServerWindow(DEBUG);
  await window.settle();
  const clientsConfig: ClientsConfig = { url: server.url, assistantId: 'bench', wsCalls, webrtcCalls, seconds: SECONDS, wsRate: WS_RATE };
  const child = fork(CLIENTS, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_CLIENTS_CONFIG: JSON.stringify(clientsConfig) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let stats: WindowStats | undefined;
  const profiler = CPU_PROF || HEAP_PROF ? new Session() : undefined;
  let profiled: Promise<void> = Promise.resolve();
  const clients = await new Promise<ClientsResult>((resolve, reject) => {
    child.on('message', (message: { type: string; result?: ClientsResult }) => {
      if (message.type === 'window-start') {
        window.begin();
        if (profiler) {
          profiler.connect();
          profiled = HEAP_PROF
            ? profiler.post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: false } as never)
            : profiler.post('Profiler.enable').then(() => profiler.post('Profiler.start'));
        }
      } else if (message.type === 'window-end') {
        stats = window.end();
        if (profiler) {
          const name = `transport-${wsCalls}ws-${webrtcCalls}webrtc`;
          profiled = profiled
            .then(async () => {
              if (HEAP_PROF) writeFileSync(`${HEAP_PROF}/${name}.heapprofile`, JSON.stringify((await profiler.post('HeapProfiler.stopSampling')).profile));
              else writeFileSync(`${CPU_PROF}/${name}.cpuprofile`, JSON.stringify((await profiler.post('Profiler.stop')).profile));
            })
            .finally(() => profiler.disconnect());
        }
      } else if (message.type === 'result') resolve(message.result!);
    });
    child.on('exit', (code) => reject(new Error(`the client process exited with ${code} before its result`)));
  });
  await profiled;
  if (DEBUG) console.log([...firstLogs, ...window.debugEvents].join('\n'));
  await server.stop();
  return {
    wsCalls,
    webrtcCalls,
    clients,
    warnLogs: logLines,
    ...stats!,
  };
}

// ---- the orchestrating process: a server per phase, then the report ------------------------------

/** Runs one phase in a fresh server process (this file again) and returns what it measured. */
function runPhase(wsCalls: number, webrtcCalls: number): Promise<Phase> {
  const server = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, BENCH_TRANSPORT_SERVER: JSON.stringify({ wsCalls, webrtcCalls }) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    server.on('message', (phase: Phase) => resolve(phase));
    server.on('exit', (code) => reject(new Error(`the server process exited with ${code} before its result`)));
  });
}

const serverPhase = process.env.BENCH_TRANSPORT_SERVER;
if (serverPhase) {
  const { wsCalls, webrtcCalls } = JSON.parse(serverPhase) as { wsCalls: number; webrtcCalls: number };
  const phase = await serve(wsCalls, webrtcCalls);
  process.send!(phase, () => process.exit(0));
} else {
  await report();
}

async function report(): Promise<void> {
  const mode = TOGETHER ? 'together' : 'sequential';
  console.log(
    `bench:transport (${mode}; ${FLOOR ? 'FLOOR: no engine, see transport-floor.ts' : 'store PGlite in memory'}; server and clients in separate processes): ${WS_CALLS} WebSocket PCM ${WS_RATE / 1000} kHz + ` +
      `${WEBRTC_CALLS} WebRTC Opus calls, ${SECONDS} s each, on ${os.cpus().length} cores, node ${process.version}`,
  );
  const phases: Phase[] = [];
  if (TOGETHER) phases.push(await runPhase(WS_CALLS, WEBRTC_CALLS));
  else {
    if (WS_CALLS > 0) phases.push(await runPhase(WS_CALLS, 0));
    if (WEBRTC_CALLS > 0) phases.push(await runPhase(0, WEBRTC_CALLS));
  }

  const perCallSecond = (phase: Phase) => Math.round((phase.serverCpuMs / ((phase.wsCalls + phase.webrtcCalls) * (phase.clients.windowMs / 1000))) * 100) / 100;
  const rssPerCall = (phase: Phase) => Math.round((phase.peakRssDeltaMb / (phase.wsCalls + phase.webrtcCalls)) * 1000) / 1000;
  const otherLoad = (phase: Phase) =>
    phase.machineBusyMs === undefined ? undefined : Math.round(((phase.machineBusyMs - phase.serverCpuMs - phase.clients.clientCpuMs) / phase.clients.windowMs) * 100);
  const describe = (name: string, kind: KindResult) =>
    `  ${name}: ${kind.calls} calls, ${kind.failed} failed${kind.failed ? ` ${JSON.stringify(kind.failures)}` : ''}; ${kind.frames}/${kind.expectedFrames} frames, ` +
    `${kind.missingFrames} missing, ${kind.gaps} gaps > 60 ms, ${kind.clears} clears; lateness p50 ${kind.late_p50_ms} p99 ${kind.late_p99_ms} p99.9 ${kind.late_p999_ms} ` +
    `max ${kind.late_max_ms} ms; first bot audio p50 ${kind.setup_p50_ms} max ${kind.setup_max_ms} ms`;
  const byKind: { ws?: { kind: KindResult; phase: Phase }; webrtc?: { kind: KindResult; phase: Phase } } = {};
  for (const phase of phases) {
    const { clients } = phase;
    const core = (ms: number) => `${Math.round((ms / clients.windowMs) * 100)}% of one core`;
    console.log(`phase ${phase.wsCalls} WebSocket + ${phase.webrtcCalls} WebRTC, window ${clients.windowMs} ms:`);
    if (phase.wsCalls) console.log(describe('WebSocket PCM', clients.ws));
    if (phase.webrtcCalls) console.log(describe('WebRTC Opus  ', clients.webrtc));
    console.log(
      `  server: CPU ${phase.serverCpuMs} ms = ${perCallSecond(phase)} ms per call-second (${core(phase.serverCpuMs)}); event loop busy ${Math.round(phase.loopBusy * 100)}%, ` +
        `delay p99 ${phase.loopDelayP99Ms} max ${phase.loopDelayMaxMs} ms; RSS ${phase.rssBeforeMb} MB + ${Math.round(phase.peakRssDeltaMb)} MB peak = ${rssPerCall(phase)} MB per call; ` +
        `${phase.warnLogs} warn/error log lines`,
    );
    console.log(`  server GC: ${phase.gcCount} pauses, ${phase.gcTotalMs} ms in all, longest ${phase.gcMaxMs} ms; ${phase.gcMajors} major, longest ${phase.gcMajorMaxMs} ms`);
    console.log(`  clients: CPU ${clients.clientCpuMs} ms (${core(clients.clientCpuMs)}), event-loop delay p99 ${clients.clientLoopDelayP99Ms} max ${clients.clientLoopDelayMaxMs} ms`);
    if (phase.machineBusyMs !== undefined) console.log(`  machine: ${core(phase.machineBusyMs)} busy in all; other processes and kernel work ~${otherLoad(phase)}% of one core`);
    if (phase.wsCalls) byKind.ws = { kind: clients.ws, phase };
    if (phase.webrtcCalls) byKind.webrtc = { kind: clients.webrtc, phase };
  }

  const worst = (values: number[]) => Math.max(...values.filter((v) => Number.isFinite(v)));
  const kinds = [byKind.ws, byKind.webrtc].filter((k) => k !== undefined);
  const kindFields = (prefix: string, entry: { kind: KindResult; phase: Phase } | undefined) =>
    entry
      ? {
          [`${prefix}_frame_late_p50_ms`]: entry.kind.late_p50_ms,
          [`${prefix}_frame_late_p99_ms`]: entry.kind.late_p99_ms,
          [`${prefix}_frame_late_max_ms`]: entry.kind.late_max_ms,
          [`${prefix}_failed_calls`]: entry.kind.failed,
          ...(TOGETHER
            ? {}
            : {
                [`${prefix}_cpu_ms_per_call_second`]: perCallSecond(entry.phase),
                [`${prefix}_rss_mb_per_call`]: rssPerCall(entry.phase),
                [`${prefix}_server_loop_busy`]: entry.phase.loopBusy,
                [`${prefix}_other_load_pct`]: otherLoad(entry.phase),
              }),
        }
      : {};
  console.log(
    JSON.stringify({
      bench: 'transport',
      ws_calls: WS_CALLS,
      webrtc_calls: WEBRTC_CALLS,
      frame_late_p99_ms: worst(kinds.map((k) => k.kind.late_p99_ms)),
      cpu_ms_per_call_second: worst(phases.map(perCallSecond)),
      rss_mb_per_call: worst(phases.map(rssPerCall)),
      failed_calls: kinds.reduce((sum, k) => sum + k.kind.failed, 0),
      mode,
      seconds: SECONDS,
      server: FLOOR ? 'floor' : 'vapi-cn',
      store: FLOOR ? 'none' : 'pglite',
      ...kindFields('ws', byKind.ws),
      ...kindFields('webrtc', byKind.webrtc),
    }),
  );
  process.exit(0);
}
