/**
 * bench:freeswitch — BENCH_CALLS (default 200) concurrent phone calls through transport-freeswitch
 * and the FreeSWITCH emulator (test/freeswitch-emulator): parked inbound calls seen on the Event
 * Socket, answered, caller audio over mod_audio_stream (16 kHz), bot audio written as 8 kHz files
 * and queued with `uuid_broadcast`, barge-in as `uuid_break <uuid> all`. Calls ramp up at
 * BENCH_RAMP (default 20) a second; measured for BENCH_SECONDS (default 30) once every call has
 * heard the bot. Server: transport-freeswitch, the engine with stage-vad-webrtc,
 * stage-resample-speex and stage-pacer, fake providers, the store on PostgreSQL when reachable
 * (else in-memory PGlite; BENCH_STORE=pglite forces it, see bench-store.ts). The
 * assistant speaks first, a message longer than the run (fake TTS at 16 kHz, 100 ms chunks at
 * 1.25x real time); every caller barges in every 4–6 s (staggered, seeded) with an 800 ms 300 Hz
 * tone; the fake STT hears words in it, so the bot is interrupted and answers with a reply longer
 * than the gap to the next barge-in. Each barge-in therefore gives one barge-in and one first-audio
 * sample.
 *
 * Processes: this file orchestrates and prints; it forks itself as the server
 * (BENCH_FREESWITCH_SERVER set), which forks freeswitch-callers.ts (the emulator and its callers),
 * so the server's `process.cpuUsage()` is its own. All share the machine's two cores.
 *
 * Definitions:
 *   first audio   per bot turn, server side: the turn's first TTS frame reaching the leg (the
 *                 engine hands PlaybackWriter audio after silence) → its `uuid_broadcast` handed to
 *                 the Event Socket connection (the writer's onBroadcast, exposed as
 *                 FreeswitchTransport.onBroadcast; modesl writes the command to the socket a few
 *                 microtasks later, in the same task). It covers gathering the turn's first frames,
 *                 writing the file (thread pool) and any wait behind the call's earlier chunks. A
 *                 turn starts with the call or after a barge-in (the bot never finishes a turn here:
 *                 every reply outlasts the gap to the next barge-in). Chunks that find FreeSWITCH
 *                 dry in the middle of a turn (an overloaded server) are reported apart: how long
 *                 their audio waited at the writer after FreeSWITCH ran out. Target: p50 ≤ 30 ms.
 *   barge-in      emulator side, one clock: the caller's speech onset (the first frame of the tone
 *                 sent on the mod_audio_stream WebSocket) → `api uuid_break` arriving on the Event
 *                 Socket. Reported raw and adjusted: raw minus the assistant's minimum speech
 *                 duration (vad.minSpeechMs + bargeIn.minSpeechMs = 100 + 200 ms), the time the
 *                 engine waits for on purpose. Target: adjusted p99 ≤ 60 ms. (A frame is sent when
 *                 its 20 ms are complete, so the VAD can count its minimum one frame before the
 *                 onset frame's send time + minimum: adjusted values can be slightly negative.)
 *   frame lateness  emulator side: a bot audio chunk queued by `uuid_broadcast` in the middle of a
 *                 bot utterance (not the call's first, not the first after a break) is late by the
 *                 time since the previous file ran out, 0 if FreeSWITCH still had audio playing or
 *                 queued; p99 over chunks. Also, server side, caller frames: each mod_audio_stream
 *                 message's arrival against its slot on the call's 20 ms grid (earliest-fitting
 *                 anchor, as bench:transport does), p99 over all frames; that includes the
 *                 emulator's own timer jitter.
 *   esl_events_per_s  events the emulator delivered to the server's Event Socket connection per
 *                 second of the window (channel lifecycle, DTMF, BACKGROUND_JOB; the transport
 *                 nixes modesl's CHANNEL_EXECUTE_COMPLETE, so once calls are up and only talk and
 *                 barge in, this is near 0); esl_commands_per_s: the server's commands
 *                 (uuid_broadcast, uuid_break...) per second.
 * Also printed: server CPU per call-second, RSS per call, event-loop busy share and delay, GC
 * pauses; the emulator's CPU, event-loop delay and late ticker ticks (its timestamps are only as
 * good as its loop); the machine's other load (all cores' busy time from /proc/stat minus server
 * and emulator): on a shared machine a run with other load is not a measurement of this server.
 * Bot audio files go to a fresh folder under BENCH_PLAYBACK_DIR (default: the OS temp dir, as the
 * transport's own default); the header line names its filesystem, as creating a file costs a
 * disk-backed one far more than tmpfs (BENCH_PLAYBACK_DIR=/dev/shm).
 * Diagnosis: BENCH_CPU_PROF=<dir> writes the server's and the emulator's CPU profiles of the
 * window (the profiler itself slows the server: take latencies from runs without it);
 * BENCH_DEBUG=1 lists the server's first log lines, stalls and long GC pauses.
 * Last line: one JSON object.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { coreRefs, transportRefs, type WebSocketConnection } from '@vapi-cn/sdk-plugin-api';
import { resolveConfig } from '@vapi-cn/core';
import { benchProviders, longSpeech, startWithBenchProviders } from './bench-providers.js';
import { benchStore } from './bench-store.js';
import { ServerWindow, type WindowStats } from './server-window.js';
import type { FreeswitchTransport } from '../../plugins/transport-freeswitch/src/index.js';
import { distribution, type CallersConfig, type CallersResult, type Distribution } from './freeswitch-callers.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const CALLS = Number(process.env.BENCH_CALLS ?? 200);
const RAMP = Number(process.env.BENCH_RAMP ?? 20);
const CPU_PROF = process.env.BENCH_CPU_PROF;
/** Where bot audio files go (FreeSWITCH reads them there): the OS temp dir unless told. */
// The transport's own default: tmpfs when the host has it.
const PLAYBACK_ROOT = process.env.BENCH_PLAYBACK_DIR ?? (existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir());
const DEBUG = Boolean(process.env.BENCH_DEBUG);
const VAD_MIN_SPEECH_MS = 100;
const BARGE_IN_MIN_SPEECH_MS = 200;
const MIN_SPEECH_MS = VAD_MIN_SPEECH_MS + BARGE_IN_MIN_SPEECH_MS;
const TARGETS = { calls: 200, firstAudioP50Ms: 30, bargeInP99Ms: 60 };
const PASSWORD = 'ClueCon';
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CALLERS = fileURLToPath(new URL('./freeswitch-callers.ts', import.meta.url));

interface ServerResult extends WindowStats {
  store: 'PostgreSQL' | 'PGlite';
  callers: CallersResult;
  firstAudio: Distribution;
  /** Chunks after FreeSWITCH ran dry in the middle of a turn: how long their audio waited. */
  firstAudioMidTurn: Distribution;
  /** Bot audio chunks broadcast in the window. */
  chunks: number;
  callerFrameLate: Distribution;
  callerFrames: number;
  warnLogs: number;
  /** Warn/error log lines by message, the whole run (ramp and hang-up included). */
  logKinds: Record<string, number>;
}

// ---- the server process ------------------------------------------------------------------------

const REPLY_TEXT = 'please wait a moment';

// Any speech is words (not fillers): a barge-in is confirmed as soon as the bot pauses. Every
// reply outlasts the gap to the caller's next barge-in, so the bot is always talking then. TTS at
// 16 kHz, resampled to the legs' 8 kHz files.
const providers = benchProviders({ sttText: REPLY_TEXT, llmScript: [longSpeech(20, 'answer')], ttsRates: [16000, 24000] });

/** The filesystem a path is on (Linux: the longest mount point above it), e.g. `ext4` or `tmpfs`. */
function filesystemOf(path: string): string {
  try {
    let best = { point: '', type: 'unknown' };
    for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [, point, type] = line.split(' ');
      if (point && type && (path === point || path.startsWith(point.endsWith('/') ? point : `${point}/`)) && point.length > best.point.length) best = { point, type };
    }
    return best.type;
  } catch {
    return 'unknown';
  }
}


/** Caller frames of one call's audio socket: arrival times in the window, for lateness. */
class CallerFrames {
  readonly arrivals: Float64Array;
  count = 0;
  constructor(capacity: number) {
    this.arrivals = new Float64Array(capacity);
  }
}

/** Lateness of every frame against its slot on its call's 20 ms grid (earliest-fitting anchor). */
function frameLateness(streams: CallerFrames[]): number[] {
  const out: number[] = [];
  for (const stream of streams) {
    let anchor = Infinity;
    for (let i = 0; i < stream.count; i++) anchor = Math.min(anchor, stream.arrivals[i]! - i * 20);
    for (let i = 0; i < stream.count; i++) out.push(stream.arrivals[i]! - i * 20 - anchor);
  }
  return out;
}

async function serve(): Promise<ServerResult> {
  const db = await benchStore();
  const playbackDir = mkdtempSync(join(PLAYBACK_ROOT, 'vapi-bench-playback-'));
  // Whatever way this process ends, the call folders go with it.
  process.on('exit', () => rmSync(playbackDir, { recursive: true, force: true }));
  const callersConfig: CallersConfig = {
    calls: CALLS,
    seconds: SECONDS,
    rampPerSecond: RAMP,
    assistantId: 'bench',
    password: PASSWORD,
    bargeInEveryMs: [4000, 6000],
    speechMs: 800,
    ...(CPU_PROF ? { cpuProfileDir: CPU_PROF } : {}),
    debug: DEBUG,
  };
  const child = fork(CALLERS, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_CALLERS_CONFIG: JSON.stringify(callersConfig) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const messages = childMessages(child);
  const ready = (await messages.next('ready')) as { eslPort: number };

  const plugin = (id: string, options: Record<string, unknown> = {}) => [id, { from: `${REPO}plugins/${id}`, options }] as const;
  let logLines = 0;
  const firstLogs: string[] = [];
  const logKinds: Record<string, number> = {};
  const logSink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) {
        if (!line.trim()) continue;
        logLines++;
        if (firstLogs.length < 5) firstLogs.push(line.slice(0, 400));
        let msg = '?';
        try {
          msg = String((JSON.parse(line) as { msg?: unknown }).msg);
        } catch {
          // not JSON: counted as '?'
        }
        logKinds[msg] = (logKinds[msg] ?? 0) + 1;
      }
      done();
    },
  });
  const config = resolveConfig(
    {
      server: { host: '127.0.0.1', port: 0, drainTimeoutMs: 1000 },
      log: { level: 'warn' },
      store: db.config,
      auth: { enabled: false },
      plugins: Object.fromEntries([
        plugin('stage-vad-webrtc'),
        plugin('stage-resample-speex'),
        plugin('stage-pacer'),
        plugin('transport-freeswitch', {
          nodes: [{ name: 'fs1', host: '127.0.0.1', port: ready.eslPort, password: PASSWORD }],
          playback: { dir: playbackDir },
        }),
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
    config: {
      firstMessageMode: 'assistant-first',
      firstMessage: longSpeech(SECONDS + 90, 'answer'),
      stt: { provider: 'fake' },
      llm: { provider: 'fake' },
      tts: { provider: 'fake' },
      vad: { minSpeechMs: VAD_MIN_SPEECH_MS, minSilenceMs: 200 },
      bargeIn: { minSpeechMs: BARGE_IN_MIN_SPEECH_MS },
    },
  });
  const transport = kernel.container.collection(transportRefs.transports).get('freeswitch') as FreeswitchTransport;

  // First audio: the server's own measure, from the transport's hook (one call per chunk). A bot
  // turn starts with the call or after a barge-in (the engine clears the leg): the bot never ends a
  // turn on its own here. Other chunks after silence (FreeSWITCH ran dry mid-turn) are counted apart.
  let recording = false;
  const firstAudio: number[] = [];
  const firstAudioMidTurn: number[] = [];
  const turnStarting = new Set<string>();
  const seen = new Set<string>();
  let chunks = 0;
  transport.onBroadcast = (callId, _chunkMs, first, sinceAudioMs) => {
    if (!seen.has(callId)) {
      seen.add(callId);
      turnStarting.add(callId);
      const leg = transport.leg(callId);
      if (leg) {
        const clearAudio = leg.clearAudio.bind(leg);
        leg.clearAudio = () => {
          turnStarting.add(callId);
          return clearAudio();
        };
      }
    }
    const turnStart = turnStarting.delete(callId);
    if (!recording) return;
    chunks++;
    if (turnStart) firstAudio.push(sinceAudioMs);
    else if (first) firstAudioMidTurn.push(sinceAudioMs);
  };
  // Caller frames: one more listener on each mod_audio_stream socket, after the transport's own.
  const streams: CallerFrames[] = [];
  const capacity = (SECONDS + 10) * 50;
  const acceptAudio = transport.acceptAudio.bind(transport);
  transport.acceptAudio = (socket: WebSocketConnection, uuid: string) => {
    acceptAudio(socket, uuid);
    const frames = new CallerFrames(capacity);
    streams.push(frames);
    socket.on('message', (_data, isBinary) => {
      if (isBinary && recording && frames.count < capacity) frames.arrivals[frames.count++] = performance.now();
    });
  };

  const window = new ServerWindow(DEBUG);
  await window.settle();
  child.send({ type: 'go' });
  await messages.next('window-start');

  window.begin();
  const profiler = CPU_PROF ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  recording = true;

  await messages.next('window-end');
  recording = false;
  const stats = window.end();
  if (profiler) {
    writeFileSync(`${CPU_PROF}/freeswitch-server.cpuprofile`, JSON.stringify((await profiler.post('Profiler.stop')).profile));
    profiler.disconnect();
  }

  const { result: callers } = (await messages.next('result')) as { result: CallersResult };
  if (DEBUG) console.log([...firstLogs, ...window.debugEvents].join('\n'));
  await kernel.stop('bench-end');
  await db.drop();
  child.send({ type: 'stop' });
  const lateness = frameLateness(streams);
  return {
    store: db.label,
    callers,
    firstAudio: distribution(firstAudio),
    firstAudioMidTurn: distribution(firstAudioMidTurn),
    chunks,
    callerFrameLate: distribution(lateness),
    callerFrames: lateness.length,
    warnLogs: logLines,
    logKinds,
    ...stats,
  };
}

/** The child's messages in order, awaited by type; its early exit rejects whoever waits. */
function childMessages(child: ChildProcess): { next(type: string): Promise<Record<string, unknown>> } {
  const queue: Array<Record<string, unknown>> = [];
  let waiter: { type: string; resolve(message: Record<string, unknown>): void; reject(error: Error): void } | undefined;
  let exited: Error | undefined;
  const deliver = () => {
    if (!waiter) return;
    const index = queue.findIndex((m) => m.type === waiter!.type);
    if (index >= 0) {
      const w = waiter;
      waiter = undefined;
      w.resolve(queue.splice(index, 1)[0]!);
    } else if (exited) {
      const w = waiter;
      waiter = undefined;
      w.reject(exited);
    }
  };
  child.on('message', (message: Record<string, unknown>) => {
    queue.push(message);
    deliver();
  });
  child.on('exit', (code) => {
    exited = new Error(`the emulator process exited with ${code}`);
    deliver();
  });
  return {
    next: (type) =>
      new Promise((resolve, reject) => {
        waiter = { type, resolve, reject };
        deliver();
      }),
  };
}

// ---- the orchestrating process: the server, then the report ---------------------------------------

if (process.env.BENCH_FREESWITCH_SERVER) {
  const result = await serve();
  process.send!(result, () => process.exit(0));
} else {
  await report();
}

async function report(): Promise<void> {
  console.log(
    `bench:freeswitch (server and emulator in separate processes): ${CALLS} calls through the FreeSWITCH emulator ` +
      `(ESL inbound, mod_audio_stream 16 kHz, bot audio as 8 kHz files in ${PLAYBACK_ROOT} on ${filesystemOf(PLAYBACK_ROOT)}), ramp ${RAMP}/s, ${SECONDS} s window, ` +
      `on ${os.cpus().length} cores, node ${process.version}`,
  );
  const server = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, BENCH_FREESWITCH_SERVER: '1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const r = await new Promise<ServerResult>((resolve, reject) => {
    server.on('message', (result: ServerResult) => resolve(result));
    server.on('exit', (code) => reject(new Error(`the server process exited with ${code} before its result`)));
  });
  const c = r.callers;
  console.log(`store: ${r.store}`);
  const windowS = c.windowMs / 1000;
  const core = (ms: number) => `${Math.round((ms / c.windowMs) * 100)}% of one core`;
  const adjust = (ms: number) => Math.round((ms - MIN_SPEECH_MS) * 10) / 10;
  const bargeIn = { n: c.bargeIn.n, p50: adjust(c.bargeIn.p50), p90: adjust(c.bargeIn.p90), p99: adjust(c.bargeIn.p99), max: adjust(c.bargeIn.max) };
  const cpuPerCallSecond = Math.round((r.serverCpuMs / (c.up * windowS)) * 100) / 100;
  const rssPerCall = Math.round((r.peakRssDeltaMb / Math.max(1, c.up)) * 1000) / 1000;
  const otherLoad = r.machineBusyMs === undefined ? undefined : Math.round(((r.machineBusyMs - r.serverCpuMs - c.cpuMs) / c.windowMs) * 100);
  const met = {
    calls: c.up - c.failed >= TARGETS.calls,
    first_audio: r.firstAudio.p50 <= TARGETS.firstAudioP50Ms,
    barge_in: bargeIn.p99 <= TARGETS.bargeInP99Ms,
  };
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const dist = (d: Distribution) => (d.n === 0 ? 'n=0' : `n=${d.n}, p50 ${d.p50} p90 ${d.p90} p99 ${d.p99} max ${d.max} ms`);

  console.log(`window ${c.windowMs} ms:`);
  console.log(`  calls: ${c.placed} placed, ${c.up} heard the bot, ${c.failed} failed${c.failed ? ` ${JSON.stringify(c.failures)}` : ''}   target ${TARGETS.calls} concurrent: ${verdict(met.calls)}`);
  console.log(`  first audio per bot turn (TTS frame at the leg → uuid_broadcast to ESL): ${dist(r.firstAudio)}   target p50 ≤ ${TARGETS.firstAudioP50Ms} ms: ${verdict(met.first_audio)}`);
  console.log(`  audio after FreeSWITCH ran dry mid-turn (waited at the writer → uuid_broadcast): ${dist(r.firstAudioMidTurn)}`);
  console.log(`  barge-in (onset frame sent → uuid_break received), raw: ${dist(c.bargeIn)}; ${c.bargeInsMissed} onsets without a break, ${c.breaksUnprompted} breaks without speech`);
  console.log(`  barge-in adjusted (raw − ${MIN_SPEECH_MS} ms minimum speech): ${dist(bargeIn)}   target p99 ≤ ${TARGETS.bargeInP99Ms} ms: ${verdict(met.barge_in)}`);
  console.log(`  bot chunk lateness at FreeSWITCH (mid-utterance uuid_broadcast after the last file ran out): ${dist(c.chunkLate)}; ${c.chunksLate} late; ${c.utteranceStarts} utterance starts; ${r.chunks} chunks broadcast`);
  console.log(`  caller frame lateness into the server (20 ms grid): ${dist(r.callerFrameLate)}`);
  console.log(
    `  ESL: ${Math.round(c.eslEventsDelivered / windowS)} events/s delivered, ${Math.round(c.eslCommands / windowS)} commands/s, ${Math.round(c.eslBytesSent / windowS / 1024)} KiB/s to the server; ` +
      `${Math.round(c.audioFramesSent / windowS)} caller frames/s`,
  );
  console.log(
    `  server: CPU ${r.serverCpuMs} ms = ${cpuPerCallSecond} ms per call-second (${core(r.serverCpuMs)}); event loop busy ${Math.round(r.loopBusy * 100)}%, ` +
      `delay p99 ${r.loopDelayP99Ms} max ${r.loopDelayMaxMs} ms; RSS ${r.rssBeforeMb} MB + ${Math.round(r.peakRssDeltaMb)} MB peak = ${rssPerCall} MB per call; ${r.warnLogs} warn/error log lines in the run${r.warnLogs ? ` ${JSON.stringify(r.logKinds)}` : ''}`,
  );
  console.log(`  server GC: ${r.gcCount} pauses, ${r.gcTotalMs} ms in all, longest ${r.gcMaxMs} ms; ${r.gcMajors} major, longest ${r.gcMajorMaxMs} ms`);
  console.log(
    `  emulator: CPU ${c.cpuMs} ms (${core(c.cpuMs)}), event-loop delay p99 ${c.loopDelayP99Ms} max ${c.loopDelayMaxMs} ms; ticker ${c.tickerLateTicks} late ticks (> 5 ms), ${c.tickerSkippedTicks} skipped`,
  );
  if (r.machineBusyMs !== undefined) {
    console.log(`  machine: ${core(r.machineBusyMs)} busy in all, ${core(r.machineIrqMs ?? 0)} of it softirq/irq; other processes and kernel work ~${otherLoad}% of one core`);
  }
  console.log(
    JSON.stringify({
      bench: 'freeswitch',
      calls: c.up - c.failed,
      esl_events_per_s: Math.round(c.eslEventsDelivered / windowS),
      esl_commands_per_s: Math.round(c.eslCommands / windowS),
      first_audio_ms_p50: r.firstAudio.p50,
      barge_in_ms_p99: bargeIn.p99,
      frame_late_p99_ms: c.chunkLate.p99,
      first_audio_ms_p99: r.firstAudio.p99,
      first_audio_samples: r.firstAudio.n,
      first_audio_mid_turn_samples: r.firstAudioMidTurn.n,
      first_audio_mid_turn_ms_p99: r.firstAudioMidTurn.p99,
      barge_in_ms_p50: bargeIn.p50,
      barge_in_raw_ms_p99: c.bargeIn.p99,
      barge_in_samples: c.bargeIn.n,
      barge_in_missed: c.bargeInsMissed,
      chunks_late: c.chunksLate,
      caller_frame_late_p99_ms: r.callerFrameLate.p99,
      failed_calls: c.failed,
      cpu_ms_per_call_second: cpuPerCallSecond,
      rss_mb_per_call: rssPerCall,
      server_loop_busy: r.loopBusy,
      emulator_cpu_pct: Math.round((c.cpuMs / c.windowMs) * 100),
      other_load_pct: otherLoad,
      targets_met: met,
      placed: c.placed,
      seconds: SECONDS,
      store: r.store === 'PostgreSQL' ? 'postgres' : 'pglite',
      playback_fs: filesystemOf(PLAYBACK_ROOT),
    }),
  );
  process.exit(0);
}
