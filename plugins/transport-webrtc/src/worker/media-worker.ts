/**
 * A media worker thread: it hosts WebRTC peers (werift: ICE, DTLS-SRTP, Opus) away from the main
 * event loop, and paces each peer's bot audio on its own clock. The main thread keeps the engine
 * and sends bot audio ahead of real time (the peer's playoutBufferMs); a pause of the main loop
 * (a GC, a burst of sockets) then no longer delays audio on the wire. Entered through
 * media-worker-boot.mjs; peers and codecs come from the recipes in `workerData`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { audioFrame, buildFromRecipe, FRAME_MS, SystemClock, type AudioCodecFactory, type AudioPacer, type AudioPacerFactory, type JitterBufferFactory } from '@vapi-cn/sdk-plugin-api';
import { WebRtcPeer } from '../webrtc-peer.js';
import { MessageBatch } from './message-batch.js';
import { toPlainError, type FromWorker, type MediaWorkerSetup, type ToWorker } from './protocol.js';
import { workerLogger } from './worker-logger.js';

interface Factories {
  opus: AudioCodecFactory;
  pacers: AudioPacerFactory;
  jitterBuffers?: JitterBufferFactory;
}

const port = parentPort!;
const { setup, logLevel } = workerData as { setup: MediaWorkerSetup; logLevel: string };
const clock = new SystemClock();

const outbox = new MessageBatch<FromWorker>((messages, transfer) => port.postMessage(messages, transfer));

function post(message: FromWorker, transfer?: ArrayBuffer[]): void {
  if (message.op === 'log') {
    // A log field that does not clone would fail the whole batch: such a line goes with the field as text.
    try {
      structuredClone(message.fields);
    } catch {
      message = { ...message, fields: JSON.parse(JSON.stringify(message.fields, (_key, value: unknown) => (typeof value === 'function' ? String(value) : value))) as Record<string, unknown> };
    }
  }
  outbox.push(message, transfer);
}

/** One peer and the pacer that plays the bot audio the main thread sent ahead. */
class HostedPeer {
  readonly peer: WebRtcPeer;
  private readonly pacer: AudioPacer;
  private lastSentAt = -Infinity;
  /** Reused for each frame from the main thread: the pacer copies what it queues. */
  private readonly incoming = audioFrame(new Int16Array(0), setup.outputSampleRate);

  constructor(
    readonly id: number,
    factories: Factories,
  ) {
    const log = workerLogger(post, logLevel, id);
    this.peer = new WebRtcPeer({
      ...setup.network,
      opus: factories.opus,
      inputSampleRate: setup.inputSampleRate,
      outputSampleRate: setup.outputSampleRate,
      connectTimeoutMs: setup.connectTimeoutMs,
      mediaTimeoutMs: setup.mediaTimeoutMs,
      clock,
      log,
      ...(factories.jitterBuffers ? { jitterBuffers: factories.jitterBuffers } : {}),
    });
    this.pacer = factories.pacers.create({
      clock,
      sampleRate: setup.outputSampleRate,
      fillSilence: false,
      onFrame: (frame) => {
        this.peer.sendFrame(frame);
        this.lastSentAt = clock.monotonic();
      },
    });
    this.peer.onAudio((frame) => {
      const samples = frame.samples.slice();
      post({ op: 'audio', id, samples }, [samples.buffer as ArrayBuffer]);
    });
    this.peer.onIceCandidate((candidate) => post({ op: 'local-candidate', id, candidate }));
    this.peer.onStateChange((state, error) => {
      if (state === 'closed') {
        this.pacer.stop();
        peers.delete(id);
      }
      post({ op: 'state', id, state, ...(error ? { error: toPlainError(error) } : {}) });
    });
    this.pacer.start();
  }

  /** Bot audio from the main thread: after a silence it goes out at once, not at the old grid's next slot. */
  play(samples: Int16Array): void {
    const now = clock.monotonic();
    const idle = this.pacer.queuedMs === 0 && now - this.lastSentAt >= FRAME_MS;
    this.incoming.samples = samples;
    this.incoming.timestamp = now;
    this.pacer.enqueue(this.incoming);
    if (idle) {
      this.pacer.stop();
      this.pacer.start();
    }
  }

  clear(): void {
    this.pacer.flush();
  }

  close(): void {
    this.pacer.stop();
    void this.peer.close();
  }
}

const peers = new Map<number, HostedPeer>();

/** Every message but the two that answer is handled at once, without a promise. */
function handle(factories: Factories, message: ToWorker): void {
  if (message.op === 'create') {
    peers.set(message.id, new HostedPeer(message.id, factories));
    return;
  }
  const hosted = peers.get(message.id);
  switch (message.op) {
    case 'frame':
      hosted?.play(message.samples);
      return;
    case 'clear':
      hosted?.clear();
      return;
    case 'close':
      if (hosted) hosted.close();
      // Closed already (it failed on its own): the main thread still waits for `closed`.
      else post({ op: 'state', id: message.id, state: 'closed' });
      return;
    case 'answer':
    case 'candidate':
      void reply(hosted, message);
  }
}

/** Answers a request; an error goes back as the reply, never lost in the worker. */
async function reply(hosted: HostedPeer | undefined, message: Extract<ToWorker, { req: number }>): Promise<void> {
  try {
    if (message.op === 'answer') {
      if (!hosted) throw new Error('the peer is closed');
      post({ op: 'reply', id: message.id, req: message.req, sdp: await hosted.peer.answer(message.sdp) });
    } else {
      await hosted?.peer.addIceCandidate(message.candidate);
      post({ op: 'reply', id: message.id, req: message.req });
    }
  } catch (error) {
    post({ op: 'reply', id: message.id, req: message.req, error: toPlainError(error) });
  }
}

async function buildFactories(): Promise<Factories> {
  const [opus, pacers, jitterBuffers] = await Promise.all([
    buildFromRecipe<AudioCodecFactory>(setup.opus),
    buildFromRecipe<AudioPacerFactory>(setup.pacer),
    setup.jitterBuffer ? buildFromRecipe<JitterBufferFactory>(setup.jitterBuffer) : undefined,
  ]);
  return { opus, pacers, ...(jitterBuffers ? { jitterBuffers } : {}) };
}

// Listening at once: messages that come while the factories load wait for them, in order (then
// callbacks on one promise run in the order they were added). After that each message is handled
// as it comes, so one peer's answer (ICE gathering) does not hold up the others.
let ready: Factories | undefined;
const factories = buildFactories();
port.on('message', (messages: ToWorker[]) => {
  if (ready) for (const message of messages) run(ready, message);
  else factories.then((built) => messages.forEach((message) => run(built, message)), () => {});
});
factories.then(
  (built) => {
    ready = built;
    post({ op: 'ready' });
  },
  (error: unknown) => post({ op: 'setup-failed', error: toPlainError(error) }),
);

function run(built: Factories, message: ToWorker): void {
  try {
    handle(built, message);
  } catch (error) {
    post({ op: 'log', id: 'id' in message ? message.id : undefined, level: 'error', fields: { err: toPlainError(error) }, msg: 'the media worker failed to handle a message' });
  }
}
