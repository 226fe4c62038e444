/**
 * The receive path of a call: Opus RTP packets in, 20 ms PCM16 frames at the decoder's rate out, with lost
 * packets concealed by the codec. Two modes:
 * - with a jitter buffer (stage-jitter-buffer's factory): packets are reordered in it and played
 *   out on a 20 ms clock, like a phone's playout; adds the buffer's depth as delay.
 * - without: each packet is decoded as it arrives (no added delay); a packet older than one
 *   already played (reordered or duplicated) is dropped, and a gap is concealed when the next
 *   packet arrives.
 */
import { FRAME_MS, FrameChunker, samplesPerFrame, type AudioCodec, type AudioFrame, type Clock, type JitterBuffer, type TimerHandle } from '@vapi-cn/sdk-plugin-api';

/** The RTP clock of Opus in WebRTC (RFC 7587), whatever rate the audio is decoded at. */
export const WEBRTC_SAMPLE_RATE = 48000;

/** Lost frames concealed at most for one gap: Opus PLC fades to silence within about 100 ms anyway. */
const MAX_CONCEALED_FRAMES = 5;
/** A jump this far ahead is a sender that restarted its sequence, not loss (RFC 3550 A.1). */
const MAX_DROPOUT = 3000;
/** This many packets in a row from before playout: the sender restarted its sequence lower. */
const MAX_LATE_IN_A_ROW = 25;
/** After a stall, frames played at most in one tick; the slots beyond are skipped. */
const MAX_CATCH_UP_FRAMES = 5;

export interface InboundAudioOptions {
  /** An Opus codec at `sampleRate`; only its decoder side is used. */
  decoder: AudioCodec;
  /** Rate the decoder delivers (default 48000). */
  sampleRate?: number;
  clock: Clock;
  /** Receives each 20 ms frame; the frame is reused afterwards (copy it to keep it). */
  onFrame(frame: AudioFrame): void;
  /** Reorders packets and plays them on a 20 ms clock; without it packets are decoded on arrival. */
  jitterBuffer?: JitterBuffer<Uint8Array>;
  /** Called for each packet the decoder rejects (it is concealed instead). */
  onBadPacket?(error: unknown): void;
}

export interface InboundAudioStats {
  packets: number;
  /** Frames delivered, concealment included. */
  frames: number;
  concealed: number;
  /** Sequence numbers never received (or not in time). */
  lost: number;
  /** Duplicates and packets that arrived after their slot; dropped. */
  late: number;
  /** Payloads the decoder rejected. */
  badPackets: number;
}

export class InboundAudio {
  private readonly decoder: AudioCodec;
  private readonly clock: Clock;
  private readonly onFrame: (frame: AudioFrame) => void;
  private readonly jitter: JitterBuffer<Uint8Array> | undefined;
  private readonly onBadPacket: (error: unknown) => void;
  private readonly sampleRate: number;
  private readonly frameSize: number;
  /** Re-frames packets that are not 20 ms long (10, 40, 60 ms ptime). */
  private readonly chunker: FrameChunker;
  private readonly chunked: AudioFrame;
  private readonly counters: InboundAudioStats = { packets: 0, frames: 0, concealed: 0, lost: 0, late: 0, badPackets: 0 };
  private ssrc: number | undefined;
  /** Direct mode: the sequence number expected next, and how many late packets came in a row. */
  private expected: number | undefined;
  private lateInARow = 0;
  /** Jitter mode: the playout clock. */
  private timer: TimerHandle | undefined;
  private origin = 0;
  private slot = 0;
  private stopped = false;

  constructor(options: InboundAudioOptions) {
    this.decoder = options.decoder;
    this.sampleRate = options.sampleRate ?? WEBRTC_SAMPLE_RATE;
    this.frameSize = samplesPerFrame(this.sampleRate);
    this.chunker = new FrameChunker(this.sampleRate);
    this.chunked = { kind: 'audio', samples: new Int16Array(0), sampleRate: this.sampleRate, timestamp: 0 };
    this.clock = options.clock;
    this.onFrame = options.onFrame;
    this.jitter = options.jitterBuffer;
    this.onBadPacket = options.onBadPacket ?? (() => {});
  }

  get stats(): Readonly<InboundAudioStats> {
    if (!this.jitter) return this.counters;
    const jitter = this.jitter.stats;
    return { ...this.counters, lost: jitter.lost, late: jitter.late + jitter.duplicates + jitter.overflow };
  }

  /**
   * One received RTP packet. The payload is kept until played (jitter mode): werift decrypts
   * each packet into a buffer of its own, so no copy is needed.
   */
  receive(ssrc: number, sequence: number, timestamp: number, payload: Uint8Array): void {
    if (this.stopped) return;
    this.counters.packets++;
    if (ssrc !== this.ssrc) {
      // A new source (the browser replaced its track): its numbering has nothing to do with the old one.
      this.ssrc = ssrc;
      this.expected = undefined;
      this.jitter?.reset();
    }
    if (this.jitter) {
      this.jitter.push({ sequence, timestamp, payload });
      if (this.timer === undefined) this.startPlayout();
      return;
    }
    this.receiveDirect(sequence, payload);
  }

  /** Stops the playout clock; later packets are ignored. Idempotent. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private receiveDirect(sequence: number, payload: Uint8Array): void {
    const now = this.clock.monotonic();
    if (this.expected !== undefined) {
      const ahead = (sequence - this.expected) & 0xffff;
      if (ahead >= 0x8000 && ++this.lateInARow < MAX_LATE_IN_A_ROW) {
        this.counters.late++;
        return;
      }
      if (ahead > 0 && ahead <= MAX_DROPOUT) {
        this.counters.lost += ahead;
        const conceal = Math.min(ahead, MAX_CONCEALED_FRAMES);
        for (let i = conceal; i > 0; i--) this.conceal(now - i * FRAME_MS);
      }
    }
    this.lateInARow = 0;
    this.expected = (sequence + 1) & 0xffff;
    this.decode(payload, now);
  }

  private startPlayout(): void {
    this.origin = this.clock.monotonic();
    this.slot = 0;
    this.tick();
  }

  /** Slot n is due at origin + n x 20 ms, so timer lateness never accumulates into drift. */
  private tick(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const now = this.clock.monotonic();
    const behind = Math.floor((now - this.origin) / FRAME_MS) - this.slot;
    if (behind >= MAX_CATCH_UP_FRAMES) this.slot += behind - MAX_CATCH_UP_FRAMES + 1;
    // onFrame may close the call, which stops playout mid-loop.
    while (!this.stopped && this.origin + this.slot * FRAME_MS <= now) {
      this.playSlot(this.origin + this.slot * FRAME_MS);
      this.slot++;
    }
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => this.tick(), this.origin + this.slot * FRAME_MS - this.clock.monotonic());
  }

  private playSlot(at: number): void {
    const next = this.jitter!.pop();
    if (next.kind === 'packet') this.decode(next.packet.payload, at);
    else if (next.kind === 'lost') this.conceal(at);
  }

  private decode(payload: Uint8Array, at: number): void {
    let frame: AudioFrame;
    try {
      frame = this.decoder.decode(payload, at);
    } catch (error) {
      this.counters.badPackets++;
      this.onBadPacket(error);
      this.conceal(at);
      return;
    }
    this.deliver(frame, at);
  }

  private conceal(at: number): void {
    this.counters.concealed++;
    this.deliver(this.decoder.conceal(at), at);
  }

  private deliver(frame: AudioFrame, at: number): void {
    if (frame.samples.length === this.frameSize && this.chunker.pending === 0) {
      this.counters.frames++;
      this.onFrame(frame);
      return;
    }
    // The first frame out starts with samples left over from the previous packet.
    let timestamp = at - (this.chunker.pending * 1000) / this.sampleRate;
    this.chunker.push(frame.samples, (samples) => {
      this.chunked.samples = samples;
      this.chunked.timestamp = timestamp;
      timestamp += FRAME_MS;
      this.counters.frames++;
      this.onFrame(this.chunked);
    });
  }
}
