/**
 * The client side of bench:transport, run in its own process (forked by transport.bench.ts) so the
 * server's CPU is measured apart from it. It opens the calls, streams caller audio (low noise) at
 * real time, and timestamps every 20 ms bot frame as it arrives: WebSocket PCM calls get one binary
 * message per frame, WebRTC calls (a werift peer each, Opus RTP) one RTP packet per frame.
 *
 * Messages to the parent: `window-start` once every call hears the bot (plus a settling pause),
 * `window-end` after BENCH_SECONDS, then `result` with the figures, then the process exits.
 *
 * Lateness of a call's frame n (n: message index for WebSocket, RTP sequence offset for WebRTC, so
 * a lost packet does not shift the rest): arrival − (anchor + n × 20 ms), the anchor being the
 * earliest-fitting grid, min over n of (arrival − n × 20 ms); so every lateness is ≥ 0, and a stall
 * that delays all later frames counts for each of them.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { RtpHeader, RtpPacket, type RTCPeerConnection, type RTCRtpTransceiver } from 'werift';
import { audioFrame, stageRefs, whiteNoise } from '@vapi-cn/sdk-plugin-api';
import { setupPlugin } from '@vapi-cn/sdk-plugin-api/testkit';
import opusPlugin from '../../plugins/codec-opus/src/index.js';
import { clientPeer, withoutCandidates } from '../../plugins/transport-webrtc/test/helpers.js';

export interface ClientsConfig {
  url: string;
  assistantId: string;
  wsCalls: number;
  webrtcCalls: number;
  seconds: number;
  /** PCM rate of the WebSocket calls. */
  wsRate: number;
}

export interface KindResult {
  calls: number;
  failed: number;
  /** Why calls failed, counted. */
  failures: Record<string, number>;
  frames: number;
  expectedFrames: number;
  /** Frames that never came (WebRTC sequence gaps; WebSocket frames short of the window's count). */
  missingFrames: number;
  /** Inter-arrival gaps over 60 ms (three frames). */
  gaps: number;
  clears: number;
  late_p50_ms: number;
  late_p99_ms: number;
  late_p999_ms: number;
  late_max_ms: number;
  setup_p50_ms: number;
  setup_max_ms: number;
}

export interface ClientsResult {
  ws: KindResult;
  webrtc: KindResult;
  windowMs: number;
  clientCpuMs: number;
  clientLoopDelayP99Ms: number;
  clientLoopDelayMaxMs: number;
}

const FRAME_MS = 20;

/** What every call kind shares: arrival times of bot frames in the window, and how the call went. */
abstract class BenchCall {
  /** Bot frame arrivals in the window, ms (performance.now). */
  arrivals: Float64Array;
  /** Each arrival's frame index (for WebRTC, sequence offset from the window's first packet). */
  indexes: Int32Array;
  count = 0;
  recording = false;
  failure: string | undefined;
  heardBotAt: number | undefined;
  startedAt = 0;
  clears = 0;
  ended = false;
  protected sendTimer: NodeJS.Timeout | undefined;
  protected sendOrigin = 0;
  protected sent = 0;

  constructor(capacity: number) {
    this.arrivals = new Float64Array(capacity);
    this.indexes = new Int32Array(capacity);
  }

  fail(why: string): void {
    if (!this.failure && !this.ended) this.failure = why;
    this.stopSending();
  }

  /** Caller audio at real time on its own 20 ms grid; frames a late timer missed go out at once. */
  protected startSending(): void {
    this.sendOrigin = performance.now();
    const tick = () => {
      const now = performance.now();
      while (this.sendOrigin + this.sent * FRAME_MS <= now) {
        if (this.ended || this.failure) return;
        this.sendFrame(this.sent++);
      }
      this.sendTimer = setTimeout(tick, this.sendOrigin + this.sent * FRAME_MS - performance.now());
    };
    tick();
  }

  protected stopSending(): void {
    if (this.sendTimer) clearTimeout(this.sendTimer);
    this.sendTimer = undefined;
  }

  protected botFrame(index: number): void {
    const now = performance.now();
    if (this.heardBotAt === undefined) this.heardBotAt = now;
    if (!this.recording || this.count >= this.arrivals.length) return;
    this.arrivals[this.count] = now;
    this.indexes[this.count] = index;
    this.count++;
  }

  protected abstract sendFrame(n: number): void;
  abstract start(): void;
  abstract stop(): Promise<void>;
}

/** Messages of the voice API that end a call early. */
function onJson(call: BenchCall, text: string): Record<string, unknown> {
  const message = JSON.parse(text) as Record<string, unknown>;
  if (message.type === 'error') {
    call.fail(`error ${String(message.code)}`);
    if (process.env.BENCH_DEBUG) console.error(`client: ${text}`);
  }
  else if (message.type === 'clear') call.clears++;
  else if (message.type === 'status' && message.status === 'ended' && !call.ended) call.fail(`ended: ${String(message.reason)}`);
  return message;
}

class WsCall extends BenchCall {
  private socket: WebSocket | undefined;
  private received = 0;
  private closed: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: ClientsConfig,
    private readonly noise: Buffer[],
    capacity: number,
  ) {
    super(capacity);
  }

  start(): void {
    this.startedAt = performance.now();
    const socket = (this.socket = new WebSocket(`${this.config.url}/v1/voice/ws`));
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
    socket.on('open', () => socket.send(JSON.stringify({ type: 'start', assistant_id: this.config.assistantId, config: { sampleRate: this.config.wsRate, encoding: 'pcm' } })));
    socket.on('error', (error) => this.fail(`socket error: ${error.message}`));
    socket.on('close', (code) => {
      if (!this.ended) this.fail(`closed ${code}`);
    });
    socket.on('message', (data, isBinary) => {
      if (isBinary) return this.botFrame(this.received++);
      const message = onJson(this, String(data));
      if (message.type === 'status' && message.status === 'connected') this.startSending();
    });
  }

  protected sendFrame(n: number): void {
    this.socket!.send(this.noise[n % this.noise.length]!);
  }

  /** Window start: message indexes count from here. */
  beginWindow(): void {
    this.received = 0;
    this.recording = true;
  }

  async stop(): Promise<void> {
    this.ended = true;
    this.stopSending();
    const socket = this.socket;
    if (!socket) return;
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'stop' }));
    else if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
    await Promise.race([this.closed, sleep(5000)]);
    socket.terminate();
  }
}

class WebRtcCall extends BenchCall {
  private socket: WebSocket | undefined;
  private pc: RTCPeerConnection | undefined;
  private transceiver: RTCRtpTransceiver | undefined;
  private remoteSet: Promise<void> | undefined;
  private pendingCandidates: string[] | undefined = [];
  private firstSequence: number | undefined;
  private lastIndex = -1;
  private closed: Promise<void> = Promise.resolve();
  /** Highest sequence offset seen in the window + 1, for counting lost packets. */
  span = 0;
  private readonly ssrc = (Math.random() * 0xffffffff) >>> 0;
  private readonly firstTimestamp = (Math.random() * 0xffffffff) >>> 0;
  private readonly firstRtpSequence = Math.floor(Math.random() * 0xffff);

  constructor(
    private readonly config: ClientsConfig,
    private readonly packets: Buffer[],
    capacity: number,
  ) {
    super(capacity);
  }

  start(): void {
    this.startedAt = performance.now();
    const pc = (this.pc = clientPeer());
    this.transceiver = pc.addTransceiver('audio', { direction: 'sendrecv' });
    pc.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe(({ header }) => this.onRtp(header.sequenceNumber));
    });
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') this.startSending();
      else if (state === 'failed' || (state === 'closed' && !this.ended)) this.fail(`peer ${state}`);
    });
    const socket = (this.socket = new WebSocket(`${this.config.url}/v1/voice/ws`));
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
    // werift gathers inside setLocalDescription(), before the offer is out: candidates wait for
    // `start` (the server takes none before it), as a browser app's would.
    pc.onIceCandidate.subscribe((candidate) => {
      const message = JSON.stringify({ type: 'ice_candidate', candidate: candidate ? candidate.toJSON() : null });
      if (this.pendingCandidates) this.pendingCandidates.push(message);
      else if (socket.readyState === WebSocket.OPEN) socket.send(message);
    });
    socket.on('open', () => void this.offer(pc, socket).catch((error: unknown) => this.fail(`offer: ${(error as Error).message}`)));
    socket.on('error', (error) => this.fail(`socket error: ${error.message}`));
    socket.on('close', (code) => {
      if (!this.ended) this.fail(`closed ${code}`);
    });
    socket.on('message', (data, isBinary) => {
      if (isBinary) return this.fail('audio on the signalling socket');
      const message = onJson(this, String(data));
      if (message.type === 'sdp_answer') {
        this.remoteSet = pc.setRemoteDescription({ type: 'answer', sdp: message.sdp as string });
        this.remoteSet.catch((error: unknown) => this.fail(`answer: ${(error as Error).message}`));
      } else if (message.type === 'ice_candidate' && message.candidate) {
        const candidate = message.candidate as Parameters<RTCPeerConnection['addIceCandidate']>[0];
        void (this.remoteSet ?? Promise.resolve()).then(() => pc.addIceCandidate(candidate)).catch(() => {});
      }
    });
  }

  private async offer(pc: RTCPeerConnection, socket: WebSocket): Promise<void> {
    await pc.setLocalDescription(await pc.createOffer());
    socket.send(JSON.stringify({ type: 'start', assistant_id: this.config.assistantId, sdp_offer: withoutCandidates(pc.localDescription!.sdp) }));
    for (const message of this.pendingCandidates ?? []) socket.send(message);
    this.pendingCandidates = undefined;
  }

  private onRtp(sequence: number): void {
    if (!this.recording) return this.botFrame(0);
    if (this.firstSequence === undefined) this.firstSequence = sequence;
    let index = (sequence - this.firstSequence) & 0xffff;
    // Sequence numbers wrap every 65536 packets (22 min): unwrap relative to the last one.
    if (this.lastIndex >= 0) index += Math.round((this.lastIndex - index) / 0x10000) * 0x10000;
    this.lastIndex = Math.max(this.lastIndex, index);
    this.span = Math.max(this.span, index + 1);
    this.botFrame(index);
  }

  protected sendFrame(n: number): void {
    const header = new RtpHeader({
      payloadType: 111,
      sequenceNumber: (this.firstRtpSequence + n) & 0xffff,
      timestamp: (this.firstTimestamp + n * 960) >>> 0,
      marker: n === 0,
      ssrc: this.ssrc,
    });
    this.transceiver!.sender.sendRtp(new RtpPacket(header, this.packets[n % this.packets.length]!)).catch(() => {});
  }

  beginWindow(): void {
    this.recording = true;
  }

  async stop(): Promise<void> {
    this.ended = true;
    this.stopSending();
    const socket = this.socket;
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'stop' }));
    if (socket) await Promise.race([this.closed, sleep(5000)]);
    socket?.terminate();
    await this.pc?.close().catch(() => {});
  }
}

/** Sorted-array percentile. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const round = (ms: number) => Math.round(ms * 100) / 100;

function summarize(calls: BenchCall[], windowMs: number, missing: (call: BenchCall) => number, debugStart?: number): KindResult {
  const expected = Math.floor(windowMs / FRAME_MS);
  const lateness = new Float64Array(calls.reduce((sum, c) => sum + c.count, 0));
  let at = 0;
  let gaps = 0;
  let missingFrames = 0;
  const failures: Record<string, number> = {};
  const setups: number[] = [];
  for (const call of calls) {
    if (call.heardBotAt !== undefined) setups.push(call.heardBotAt - call.startedAt);
    if (!call.failure && call.count < expected * 0.9) call.failure = `heard ${call.count} of ~${expected} frames`;
    if (call.failure) {
      const kind = call.failure.replace(/\d+ of ~\d+/, 'too few');
      failures[kind] = (failures[kind] ?? 0) + 1;
    }
    missingFrames += missing(call);
    let anchor = Infinity;
    for (let i = 0; i < call.count; i++) anchor = Math.min(anchor, call.arrivals[i]! - call.indexes[i]! * FRAME_MS);
    for (let i = 0; i < call.count; i++) {
      lateness[at++] = call.arrivals[i]! - call.indexes[i]! * FRAME_MS - anchor;
      if (i > 0 && call.arrivals[i]! - call.arrivals[i - 1]! > 3 * FRAME_MS) {
        gaps++;
        if (debugStart !== undefined && gaps <= 30) console.error(`client: gap of ${(call.arrivals[i]! - call.arrivals[i - 1]!).toFixed(1)} ms before frame ${call.indexes[i]} at +${(call.arrivals[i - 1]! - debugStart).toFixed(0)} ms`);
      }
    }
  }
  lateness.sort();
  setups.sort((a, b) => a - b);
  return {
    calls: calls.length,
    failed: calls.filter((c) => c.failure).length,
    failures,
    frames: lateness.length,
    expectedFrames: expected * calls.length,
    missingFrames,
    gaps,
    clears: calls.reduce((sum, c) => sum + c.clears, 0),
    late_p50_ms: round(percentile(lateness, 50)),
    late_p99_ms: round(percentile(lateness, 99)),
    late_p999_ms: round(percentile(lateness, 99.9)),
    late_max_ms: round(percentile(lateness, 100)),
    setup_p50_ms: Math.round(setups[Math.floor(setups.length / 2)] ?? NaN),
    setup_max_ms: Math.round(setups.at(-1) ?? NaN),
  };
}

export async function runClients(config: ClientsConfig, report: (message: Record<string, unknown>) => void): Promise<ClientsResult> {
  // Caller audio: low noise (about −54 dBFS), well under the VAD's speech threshold, so the bot
  // is never interrupted; one second of it, looped.
  const capacity = Math.ceil((config.seconds * 1000) / FRAME_MS) + 500;
  const wsSize = config.wsRate / 50;
  const wsNoise = whiteNoise(config.wsRate, 1000, 0.002, 7);
  const noise: Buffer[] = [];
  for (let f = 0; f < 50; f++) noise.push(Buffer.from(wsNoise.buffer, wsNoise.byteOffset + f * wsSize * 2, wsSize * 2));
  const packets: Buffer[] = [];
  if (config.webrtcCalls > 0) {
    // As a browser encodes a microphone: voip (SILK), which the server then decodes.
    const voip = (await setupPlugin(opusPlugin, { options: { application: 'voip' } })).registry(stageRefs.codecs).get('opus')!;
    const encoder = voip.create({ sampleRate: 48000 });
    const pcm = whiteNoise(48000, 1000, 0.002, 11);
    for (let f = 0; f < 50; f++) packets.push(Buffer.from(encoder.encode(audioFrame(pcm.subarray(f * 960, (f + 1) * 960), 48000))));
    encoder.close();
  }

  const wsCalls = Array.from({ length: config.wsCalls }, () => new WsCall(config, noise, capacity));
  const rtcCalls = Array.from({ length: config.webrtcCalls }, () => new WebRtcCall(config, packets, capacity));
  // Staggered starts: WebSocket calls 10 ms apart, WebRTC ones (certificate, DTLS handshake) 100 ms.
  const starts: Array<Promise<void>> = [];
  wsCalls.forEach((call, i) => starts.push(sleep(i * 10).then(() => call.start())));
  rtcCalls.forEach((call, i) => starts.push(sleep(i * 100).then(() => call.start())));
  await Promise.all(starts);
  const all: BenchCall[] = [...wsCalls, ...rtcCalls];
  const deadline = performance.now() + 30_000;
  while (all.some((c) => c.heardBotAt === undefined && !c.failure) && performance.now() < deadline) await sleep(100);
  for (const call of all) if (call.heardBotAt === undefined) call.fail('never heard the bot');
  // Let the last handshakes and the first TTS bursts settle before measuring.
  await sleep(2000);

  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const cpuBefore = process.cpuUsage();
  for (const call of wsCalls) call.beginWindow();
  for (const call of rtcCalls) call.beginWindow();
  const windowStart = performance.now();
  report({ type: 'window-start' });
  await sleep(config.seconds * 1000);
  for (const call of all) call.recording = false;
  const windowMs = performance.now() - windowStart;
  const cpu = process.cpuUsage(cpuBefore);
  loopDelay.disable();
  report({ type: 'window-end' });

  await Promise.all(all.map((call) => call.stop()));
  const expected = Math.floor(windowMs / FRAME_MS);
  const debugStart = process.env.BENCH_DEBUG ? windowStart : undefined;
  return {
    ws: summarize(wsCalls, windowMs, (call) => Math.max(0, expected - 1 - call.count), debugStart),
    webrtc: summarize(rtcCalls, windowMs, (call) => Math.max(0, (call as WebRtcCall).span - call.count), debugStart),
    windowMs: Math.round(windowMs),
    clientCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    // The histogram holds whole sampling intervals: the delay is what exceeds the 5 ms tick.
    clientLoopDelayP99Ms: Math.max(0, Math.round(loopDelay.percentile(99) / 1e5 - 50) / 10),
    clientLoopDelayMaxMs: Math.max(0, Math.round(loopDelay.max / 1e5 - 50) / 10),
  };
}

// Forked by transport.bench.ts: the config comes in BENCH_CLIENTS_CONFIG.
if (process.send && process.env.BENCH_CLIENTS_CONFIG) {
  const config = JSON.parse(process.env.BENCH_CLIENTS_CONFIG) as ClientsConfig;
  runClients(config, (message) => process.send!(message))
    .then((result) => process.send!({ type: 'result', result }, () => process.exit(0)))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
