/**
 * bench:pipeline — N concurrent calls (default 200) through the real server and pipeline in real
 * time: webrtc VAD, speex resampling, pacing, sentence segmentation, with the testkit's fake
 * providers at fixed latencies (STT final 150 ms, LLM first token 250 ms, TTS first audio 120 ms;
 * TTS streams 100 ms chunks at 4x real time). Legs are 8 kHz phone lines.
 * Each call: the caller speaks 1 s; the bot answers (voice-to-voice measured); while it speaks
 * the caller barges in (barge-in stop measured); the bot answers again; the caller hangs up.
 *   v2v            caller's last voiced frame → first bot audio on the wire
 *   server overhead v2v − (max(endpointing wait, STT final) + LLM first token + TTS first audio);
 *                  STT final counts from the caller's last voiced frame, so it includes the VAD's
 *                  200 ms hold, which endpointing overlaps
 *   barge-in       caller speech passes the minimum duration → bot audio stops on the wire
 * It also reports the event loop's delay: when it matches the overhead's tail, the tail is the
 * process being busy, not the pipeline waiting on itself.
 */
import os from 'node:os';
import { Writable } from 'node:stream';
import { coreRefs, transportRefs, type CallLeg, type IncomingCall, type Transport } from '@vapi-cn/sdk-plugin-api';
import { definePlugin, providerRefs } from '@vapi-cn/sdk-plugin-api';
import { FakeLlmProvider, FakeSttProvider, FakeTtsProvider } from '@vapi-cn/sdk-plugin-api/testkit';
import { Kernel, planBoot, resolveConfig } from '@vapi-cn/core';
import { FakeLeg } from '../../core/test/call/fake-leg.js';
import { fileURLToPath } from 'node:url';
import { benchStore } from './bench-store.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 200);
const LATENCY = { sttFinalMs: 150, llmFirstTokenMs: 250, ttsFirstAudioMs: 120 };
const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** A transport whose calls the benchmark places itself. */
class BenchTransport implements Transport {
  readonly name = 'bench';
  handler!: (leg: CallLeg, call: IncomingCall) => Promise<void>;
  onCall(handler: (leg: CallLeg, call: IncomingCall) => Promise<void>): void {
    this.handler = handler;
  }
}
const transport = new BenchTransport();

const benchPlugins = definePlugin({
  id: 'bench-fixtures',
  version: '1.0.0',
  apiVersion: '^1.0.0',
  provides: [providerRefs.stt, providerRefs.llm, providerRefs.tts, transportRefs.transports],
  requires: { clock: coreRefs.clock },
  setup(ctx) {
    const clock = ctx.deps.clock;
    ctx.provide(providerRefs.stt, 'fake', new FakeSttProvider({ name: 'fake', clock, finalLatencyMs: LATENCY.sttFinalMs, script: (audio) => (audio.length ? 'tell me about your opening hours' : '') }));
    ctx.provide(
      providerRefs.llm,
      'fake',
      new FakeLlmProvider({
        name: 'fake',
        clock,
        firstTokenMs: LATENCY.llmFirstTokenMs,
        // The reply arrives at the first-token time, so the time to a speakable sentence is the
        // provider's fixed latency and what remains of voice-to-voice is the server's own share.
        chunkChars: 1000,
        script: ['We are open from nine in the morning until six in the evening. On weekends we open at ten. Is there anything else I can help you with today?'],
      }),
    );
    // Streams at four times real time in 100 ms chunks, as cloud TTS does over its socket.
    ctx.provide(
      providerRefs.tts,
      'fake',
      new FakeTtsProvider({ name: 'fake', clock, firstAudioMs: LATENCY.ttsFirstAudioMs, realTimeFactor: 0.25, msPerChar: 60, frameMs: 100, sampleRates: [16000] }),
    );
    ctx.provide(transportRefs.transports, 'bench', transport);
  },
});

const silent = new Writable({ write: (_c, _e, done) => done() });

const benchDb = await benchStore();
const store_ = benchDb.config;
const postgresAdmin = benchDb.label === 'PostgreSQL';
const dropDatabase = benchDb.drop;
const config = resolveConfig(
  {
    server: { port: 0, drainTimeoutMs: 1000 },
    log: { level: 'warn' },
    store: store_,
    auth: { enabled: false },
    plugins: Object.fromEntries(['stage-vad-webrtc', 'stage-resample-speex', 'stage-pacer'].map((id) => [id, { from: `${REPO}plugins/${id}` }])),
  },
  REPO,
  '<bench>',
  { env: {} },
);
const plan = await planBoot(config);
// The bench's own fixtures join the plan like any plugin loaded by path.
plan.plugins.push({ id: 'bench-fixtures', plugin: benchPlugins, origin: 'path', entry: import.meta.url, options: {}, timeouts: { setupMs: 10000, startMs: 10000, stopMs: 10000 } });
const kernel = await Kernel.start(plan, { logDestination: silent, defaultMetrics: false });
const clock = kernel.resolve(coreRefs.clock);
const store = kernel.resolve(coreRefs.store);
await store.assistants.create({
  id: 'bench',
  name: 'Bench',
  config: { firstMessageMode: 'caller-first', stt: { provider: 'fake' }, llm: { provider: 'fake' }, tts: { provider: 'fake' }, bargeIn: { minSpeechMs: 200 } },
});

console.log(`bench:pipeline (store: ${postgresAdmin ? 'PostgreSQL' : 'PGlite'}): ${CALLS} calls on ${os.cpus().length} cores, node ${process.version}; fake latencies ${JSON.stringify(LATENCY)}`);
global.gc?.();
const rssBefore = process.memoryUsage().rss;
const cpuBefore = process.cpuUsage();
const began = performance.now();

const { monitorEventLoopDelay } = await import('node:perf_hooks');
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
const utilizationBefore = performance.eventLoopUtilization();
let peakRss = rssBefore;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);

async function oneCall(i: number): Promise<string> {
  await clock.sleep((i * 1000) / CALLS); // stagger starts over a second
  const leg = new FakeLeg(clock, 8000, 8000, `bench-${i}`);
  await transport.handler(leg, { assistantId: 'bench', fromNumber: `1380000${String(i).padStart(4, '0')}` });
  await leg.say(1000);
  await leg.silence(1500); // the bot answers in here
  await leg.say(600); // barge-in while it speaks
  await leg.silence(2500); // the second answer
  leg.emitHangup('NORMAL_CLEARING');
  return leg.id;
}

const ids = await Promise.all(Array.from({ length: CALLS }, (_, i) => oneCall(i)));
clearInterval(sampler);
loopDelay.disable();
const utilization = performance.eventLoopUtilization(utilizationBefore).utilization;
console.log(`  event loop busy ${Math.round(utilization * 100)}% of the run`);
console.log(`  event-loop delay p50 ${(loopDelay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(1)} ms`);
const elapsed = performance.now() - began;
const cpu = process.cpuUsage(cpuBefore);
await clock.sleep(300);

const v2v: number[] = [];
const overhead: number[] = [];
const bargeIn: number[] = [];
let dropped = 0;
for (const id of ids) {
  const events = await store.callEvents.list(id);
  const report = events.find((e) => e.type === 'end-of-call-report')?.payload as { turns?: Array<Record<string, number>> } | undefined;
  const answered = (report?.turns ?? []).filter((t) => t.voiceToVoiceMs !== undefined);
  if (answered.length < 2 || events.some((e) => e.type === 'error')) dropped++;
  for (const turn of report?.turns ?? []) {
    if (turn.voiceToVoiceMs !== undefined && turn.endpointingMs !== undefined) {
      v2v.push(turn.voiceToVoiceMs);
      const expected = Math.max(turn.endpointingMs, turn.sttFinalMs ?? 0) + (turn.llmFirstTokenMs ?? 0) + (turn.ttsFirstAudioMs ?? 0);
      overhead.push(turn.voiceToVoiceMs - expected);
    }
    if (turn.bargeInStopMs !== undefined) bargeIn.push(turn.bargeInStopMs);
  }
}
if (process.env.BENCH_DEBUG) {
  const events = await store.callEvents.list(ids[0]!);
  console.log(JSON.stringify(events.find((e) => e.type === 'end-of-call-report')?.payload.turns));
}
await kernel.stop('bench-end');
await dropDatabase();

const pct = (values: number[], p: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! * 10) / 10;
};
const rssPerCall = Math.round(((peakRss - rssBefore) / 1024 / 1024 / CALLS) * 100) / 100;
console.log(`  ${v2v.length} answered turns, ${bargeIn.length} barge-ins in ${Math.round(elapsed)} ms; CPU ${Math.round((cpu.user + cpu.system) / 1000)} ms`);
console.log(`  voice-to-voice p50 ${pct(v2v, 50)} ms, p99 ${pct(v2v, 99)} ms`);
console.log(`  server overhead p50 ${pct(overhead, 50)} ms, p99 ${pct(overhead, 99)} ms`);
console.log(`  barge-in stop p50 ${pct(bargeIn, 50)} ms, p99 ${pct(bargeIn, 99)} ms`);
console.log(`  RSS ${Math.round(rssBefore / 1048576)} → peak ${Math.round(peakRss / 1048576)} MB: ${rssPerCall} MB per call; dropped calls ${dropped}`);
console.log(
  JSON.stringify({
    bench: 'pipeline',
    calls: CALLS,
    store: postgresAdmin ? 'postgres' : 'pglite',
    v2v_p50_ms: pct(v2v, 50),
    v2v_p99_ms: pct(v2v, 99),
    server_overhead_p50_ms: pct(overhead, 50),
    server_overhead_p99_ms: pct(overhead, 99),
    barge_in_p50_ms: pct(bargeIn, 50),
    barge_in_p99_ms: pct(bargeIn, 99),
    rss_mb_per_call: rssPerCall,
    dropped_calls: dropped,
    turns: v2v.length,
    event_loop_delay_p99_ms: Math.round(loopDelay.percentile(99) / 1e5) / 10,
    event_loop_busy: Math.round(utilization * 100) / 100,
    cpu_ms: Math.round((cpu.user + cpu.system) / 1000),
  }),
);
process.exit(0);
