/**
 * The far side of bench:freeswitch, run in its own process (forked by freeswitch.bench.ts's server)
 * so the server's CPU is measured apart from it: the FreeSWITCH emulator (test/freeswitch-emulator)
 * with its callers. It places the calls (parked inbound calls routed by `vapi_assistant_id`, no
 * far-end recording), makes every caller barge in periodically with a tone the VAD hears, and
 * measures with the emulator's probe, on this process's one clock:
 *   barge-in      caller speech onset (the first frame of the tone sent on the mod_audio_stream
 *                 WebSocket) → `api uuid_break <uuid>` arriving on the Event Socket
 *   chunk lateness  each `uuid_broadcast` in the middle of a bot utterance (not the first of the
 *                 call, not the first after a break): 0 when FreeSWITCH still had audio playing or
 *                 queued, else how long after the previous file ran out it arrived (the gap the
 *                 caller hears)
 *   ESL traffic   events delivered to the server, commands received, over the window
 *
 * Messages to the parent: `ready` (ESL port) once the emulator listens; after `go`, the calls ramp
 * up; `window-start` once every call heard the bot (plus a settling pause), `window-end` after
 * the window, then `result`. The process stays up (calls hung up) until the parent says `stop`.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { sineWave } from '@vapi-cn/sdk-plugin-api';
import { FreeSwitchEmulator, type EmulatedCall, type EmulatorProbe } from '../freeswitch-emulator/index.js';

export interface CallersConfig {
  calls: number;
  seconds: number;
  /** Calls placed per second while ramping up. */
  rampPerSecond: number;
  assistantId: string;
  password: string;
  /** A caller barges in every this many ms (uniform between the two), the first time 2–6 s after hearing the bot. */
  bargeInEveryMs: [number, number];
  /** How long each barge-in tone lasts. */
  speechMs: number;
  /** Directory for this process's CPU profile of the window (BENCH_CPU_PROF). */
  cpuProfileDir?: string;
  debug: boolean;
}

export interface Distribution {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface CallersResult {
  placed: number;
  /** Calls that heard the bot before the window. */
  up: number;
  failed: number;
  failures: Record<string, number>;
  windowMs: number;
  /** Onset → uuid_break, raw (ms). */
  bargeIn: Distribution;
  /** Onsets in the window that got no uuid_break within 3 s. */
  bargeInsMissed: number;
  /** uuid_break with no caller speech before it. */
  breaksUnprompted: number;
  /** Lateness of mid-utterance chunks (ms), and how many were late at all. */
  chunkLate: Distribution;
  chunksLate: number;
  /** First chunks of an utterance (not measured for lateness). */
  utteranceStarts: number;
  eslEventsDelivered: number;
  eslCommands: number;
  eslBytesSent: number;
  audioFramesSent: number;
  tickerLateTicks: number;
  tickerSkippedTicks: number;
  cpuMs: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

const BREAK_MATCH_MS = 3000;

/** Small seeded PRNG (mulberry32), so runs stagger the same way. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function distribution(values: number[]): Distribution {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { n: sorted.length, p50: round(at(50)), p90: round(at(90)), p99: round(at(99)), max: round(at(100)) };
}

/** What the bench tracks of one call. */
class Caller {
  call: EmulatedCall | undefined;
  heardAt: number | undefined;
  /** Broadcasts FreeSWITCH holds (playing or queued), as far as the commands and playbacks tell. */
  outstanding = 0;
  /** The next uuid_broadcast starts an utterance (first of the call, or first after a break). */
  utteranceStart = true;
  /** When the last file played out. */
  lastEndAt = 0;
  onsetAt: number | undefined;
  onsetInWindow = false;
  timer: NodeJS.Timeout | undefined;
}

export async function runCallers(config: CallersConfig, report: (message: Record<string, unknown>) => void, go: Promise<void>): Promise<{ result: CallersResult; emulator: FreeSwitchEmulator }> {
  const callers = new Map<string, Caller>();
  const rand = random(20240601);
  const tone = sineWave(300, 8000, config.speechMs, 0.4);
  let recording = false;
  let ended = false;
  const bargeIns: number[] = [];
  const chunkLateness: number[] = [];
  let bargeInsMissed = 0;
  let breaksUnprompted = 0;
  let chunksLate = 0;
  let utteranceStarts = 0;
  let commands = 0;

  /** The uuid argument of `api <command> <uuid> ...`. */
  const uuidOf = (line: string, from: number) => {
    const end = line.indexOf(' ', from);
    return line.slice(from, end < 0 ? undefined : end);
  };

  const onBroadcast = (caller: Caller, at: number) => {
    if (caller.heardAt === undefined) {
      caller.heardAt = at;
      scheduleBargeIn(caller, 2000 + rand() * 4000);
    }
    if (caller.utteranceStart) {
      caller.utteranceStart = false;
      if (recording) utteranceStarts++;
    } else if (recording) {
      const late = caller.outstanding > 0 ? 0 : Math.max(0, at - caller.lastEndAt);
      chunkLateness.push(late);
      if (late > 0) chunksLate++;
    }
    caller.outstanding++;
  };

  const onBreak = (caller: Caller, at: number) => {
    // `uuid_break all` stops the file and drops the queue: what comes next starts an utterance.
    caller.outstanding = 0;
    caller.utteranceStart = true;
    if (caller.onsetAt !== undefined && at - caller.onsetAt <= BREAK_MATCH_MS) {
      if (caller.onsetInWindow) bargeIns.push(at - caller.onsetAt);
    } else if (recording) breaksUnprompted++;
    caller.onsetAt = undefined;
  };

  const probe: EmulatorProbe = {
    commandReceived(line, at) {
      if (recording) commands++;
      if (line.startsWith('api uuid_broadcast ')) {
        const caller = callers.get(uuidOf(line, 19));
        if (caller) onBroadcast(caller, at);
      } else if (line.startsWith('api uuid_break ')) {
        const caller = callers.get(uuidOf(line, 15));
        if (caller) onBreak(caller, at);
      }
    },
    callerSpeechSent(call, at) {
      const caller = callers.get(call.uuid);
      if (!caller) return;
      if (caller.onsetAt !== undefined && caller.onsetInWindow && at - caller.onsetAt > BREAK_MATCH_MS) bargeInsMissed++;
      caller.onsetAt = at;
      caller.onsetInWindow = recording;
    },
    playbackDone(call, _path, endsAt) {
      const caller = callers.get(call.uuid);
      if (!caller) return;
      caller.outstanding = Math.max(0, caller.outstanding - 1);
      caller.lastEndAt = endsAt;
    },
  };

  function scheduleBargeIn(caller: Caller, inMs: number): void {
    caller.timer = setTimeout(() => {
      if (ended || !caller.call || caller.call.state !== 'answered') return;
      caller.call.say(tone);
      const [min, max] = config.bargeInEveryMs;
      scheduleBargeIn(caller, min + rand() * (max - min));
    }, inMs);
  }

  const emulator = await FreeSwitchEmulator.start({ password: config.password, probe, maxSessions: config.calls + 100 });
  report({ type: 'ready', eslPort: emulator.eslPort });
  await go;

  // Ramp up: `rampPerSecond` calls a second, each with its own uuid known to the probe first.
  const gap = 1000 / config.rampPerSecond;
  const rampStart = performance.now();
  for (let i = 0; i < config.calls; i++) {
    const wait = rampStart + i * gap - performance.now();
    if (wait > 0) await sleep(wait);
    const uuid = randomUUID();
    const caller = new Caller();
    callers.set(uuid, caller);
    caller.call = emulator.placeCall({
      uuid,
      from: `1380013${String(i).padStart(4, '0')}`,
      to: '4001234567',
      variables: { vapi_assistant_id: config.assistantId },
      dialplan: { type: 'park' },
      record: false,
    });
  }
  const all = [...callers.values()];
  const deadline = performance.now() + 30_000;
  while (all.some((c) => c.heardAt === undefined && c.call!.state !== 'hungup') && performance.now() < deadline) await sleep(100);
  const up = all.filter((c) => c.heardAt !== undefined).length;
  // Let the last calls' first bursts settle, and their first barge-ins start, before measuring.
  await sleep(2000);

  const profiler = config.cpuProfileDir ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const before = emulator.stats();
  const cpuBefore = process.cpuUsage();
  const windowStart = performance.now();
  recording = true;
  report({ type: 'window-start' });
  await sleep(config.seconds * 1000);
  recording = false;
  const windowMs = performance.now() - windowStart;
  const cpu = process.cpuUsage(cpuBefore);
  const after = emulator.stats();
  loopDelay.disable();
  report({ type: 'window-end' });
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    writeFileSync(`${config.cpuProfileDir}/freeswitch-emulator.cpuprofile`, JSON.stringify(profile));
    profiler.disconnect();
  }

  ended = true;
  // A barge-in whose break is still due gets its chance before the calls end.
  await sleep(BREAK_MATCH_MS);
  const failures: Record<string, number> = {};
  const fail = (why: string) => (failures[why] = (failures[why] ?? 0) + 1);
  for (const caller of all) {
    clearTimeout(caller.timer);
    if (caller.onsetAt !== undefined && caller.onsetInWindow) bargeInsMissed++;
    const call = caller.call!;
    if (caller.heardAt === undefined) fail('never heard the bot');
    else if (call.state === 'hungup') fail(`hung up: ${call.hangupCause}`);
    else if (!call.audioStream?.connected) fail('audio stream down');
  }
  for (const caller of all) if (caller.call!.state !== 'hungup') caller.call!.hangup();
  if (config.debug) console.error(`callers: ${JSON.stringify(emulator.stats())}`);

  return {
    emulator,
    result: {
      placed: all.length,
      up,
      failed: Object.values(failures).reduce((a, b) => a + b, 0),
      failures,
      windowMs: Math.round(windowMs),
      bargeIn: distribution(bargeIns),
      bargeInsMissed,
      breaksUnprompted,
      chunkLate: distribution(chunkLateness),
      chunksLate,
      utteranceStarts,
      eslEventsDelivered: after.eventsDelivered - before.eventsDelivered,
      eslCommands: commands,
      eslBytesSent: after.eslBytesSent - before.eslBytesSent,
      audioFramesSent: after.audioFramesSent - before.audioFramesSent,
      tickerLateTicks: after.tickerLateTicks - before.tickerLateTicks,
      tickerSkippedTicks: after.tickerSkippedTicks - before.tickerSkippedTicks,
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      // The histogram holds whole sampling intervals: the delay is what exceeds the 5 ms tick.
      loopDelayP99Ms: Math.max(0, Math.round(loopDelay.percentile(99) / 1e5 - 50) / 10),
      loopDelayMaxMs: Math.max(0, Math.round(loopDelay.max / 1e5 - 50) / 10),
    },
  };
}

// Forked by freeswitch.bench.ts: the config comes in BENCH_CALLERS_CONFIG.
if (process.send && process.env.BENCH_CALLERS_CONFIG) {
  const config = JSON.parse(process.env.BENCH_CALLERS_CONFIG) as CallersConfig;
  let startCalls!: () => void;
  const go = new Promise<void>((resolve) => (startCalls = resolve));
  let emulator: FreeSwitchEmulator | undefined;
  const stop = async () => {
    await emulator?.stop();
    process.exit(0);
  };
  process.on('message', (message: { type: string }) => {
    if (message.type === 'go') startCalls();
    else if (message.type === 'stop') void stop();
  });
  // The server went away: nothing left to serve.
  process.on('disconnect', () => void stop());
  runCallers(config, (message) => process.send!(message), go)
    .then(({ result, emulator: started }) => {
      emulator = started;
      process.send!({ type: 'result', result });
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
