/** An Opus codec instance (one per call direction) over @evan/opus, and the factory that makes them. */
import { Decoder, Encoder } from '@evan/opus';
import { audioFrame, badAudioError, checkCodecOptions, samplesPerFrame, VapiError, type AudioCodec, type AudioCodecFactory, type AudioFrame } from '@vapi-cn/sdk-plugin-api';
import type { OpusOptions } from './options.js';

/** The rates libopus runs at. */
export const OPUS_SAMPLE_RATES = [8000, 12000, 16000, 24000, 48000] as const;
type OpusSampleRate = (typeof OPUS_SAMPLE_RATES)[number];

/** The longest packet Opus can carry (RFC 6716 §3.2.5). */
const MAX_PACKET_MS = 120;

/**
 * A packet with a TOC byte and no frame data: libopus runs its loss concealment for exactly the
 * duration the TOC names (RFC 6716 §3.1: config 31, 20 ms, mono, one frame), in the mode of the
 * last real packet. An empty buffer would not do: the native build rejects it and the wasm build
 * conceals 120 ms.
 */
const CONCEAL_PACKET = Uint8Array.of(0xf8);

const APPLICATIONS = { voip: 'voip', audio: 'audio', lowdelay: 'restricted_lowdelay' } as const;

/**
 * Opus, mono, 20 ms frames. `encode()` takes exactly one 20 ms frame; `decode()` takes any valid
 * packet (2.5-120 ms). `decode()` and `conceal()` return the same frame object each time over a
 * reused sample buffer. `encode()` returns the packet @evan/opus hands back, a fresh copy per call
 * (copying it into a reused buffer would add a copy without saving that allocation).
 */
export class OpusCodec implements AudioCodec {
  readonly name = 'opus';
  private readonly encoder: Encoder;
  private readonly decoder: Decoder;
  private readonly frameSize: number;
  private readonly pcm: Int16Array;
  /** `pcm`'s bytes, where decoded audio is copied out of the library's buffer. */
  private readonly pcmBytes: Uint8Array;
  private readonly frame: AudioFrame;
  private closed = false;
  private readonly fec: boolean;
  /** The loss the encoder sizes its FEC to, percent: the worst recent report, decaying. */
  private expectedLossPercent: number;

  constructor(readonly sampleRate: OpusSampleRate, options: OpusOptions) {
    this.frameSize = samplesPerFrame(sampleRate);
    this.encoder = new Encoder({ channels: 1, sample_rate: sampleRate, application: APPLICATIONS[options.application] });
    this.encoder.complexity = options.complexity as Encoder['complexity'];
    this.encoder.bitrate = options.bitrate;
    this.encoder.inband_fec = options.fec;
    this.fec = options.fec;
    this.expectedLossPercent = options.fec ? options.packetLossPercent : 0;
    this.encoder.packet_loss = this.expectedLossPercent;
    this.encoder.dtx = options.dtx;
    this.decoder = new Decoder({ channels: 1, sample_rate: sampleRate });
    this.pcm = new Int16Array(samplesPerFrame(sampleRate, MAX_PACKET_MS));
    this.pcmBytes = new Uint8Array(this.pcm.buffer);
    this.frame = audioFrame(this.pcm.subarray(0, this.frameSize), sampleRate);
  }

  encode(frame: AudioFrame): Uint8Array {
    this.assertOpen();
    if (frame.sampleRate !== this.sampleRate) {
      throw badAudioError('VAPI_ERR_CODEC_FRAME_RATE', `opus at ${this.sampleRate} Hz got a ${frame.sampleRate} Hz frame`, `resample to ${this.sampleRate} Hz before encoding`);
    }
    if (frame.samples.length !== this.frameSize) {
      throw badAudioError('VAPI_ERR_CODEC_FRAME_SIZE', `opus takes 20 ms frames (${this.frameSize} samples), got ${frame.samples.length}`, 're-frame the audio into 20 ms frames (FrameChunker)');
    }
    return this.encoder.encode(frame.samples);
  }

  decode(payload: Uint8Array, timestamp: number): AudioFrame {
    this.assertOpen();
    if (payload.length === 0) throw badAudioError('VAPI_ERR_CODEC_EMPTY', 'opus got an empty payload', 'call conceal() for a lost packet');
    let pcm: Uint8Array;
    try {
      pcm = this.decoder.decode(payload);
    } catch (cause) {
      throw badAudioError('VAPI_ERR_CODEC_PACKET', `malformed Opus packet of ${payload.length} bytes: ${(cause as Error).message}`, 'check that the payload type negotiated for Opus is the one received', cause);
    }
    return this.output(pcm, timestamp);
  }

  /**
   * A receiver report's loss fraction for this codec's packets. Loss rises at once and halves with
   * each report that shows less, so one clean second does not drop FEC on a lossy link. In `audio`
   * mode over 5% switches libopus from CELT to SILK with FEC (and back once it falls).
   */
  reportLoss(fraction: number): void {
    if (this.closed || !this.fec || !Number.isFinite(fraction)) return;
    const reported = Math.round(Math.min(1, Math.max(0, fraction)) * 100);
    const next = Math.max(reported, Math.floor(this.expectedLossPercent / 2));
    if (next === this.expectedLossPercent) return;
    this.expectedLossPercent = next;
    this.encoder.packet_loss = next;
  }

  conceal(timestamp: number): AudioFrame {
    this.assertOpen();
    return this.output(this.decoder.decode(CONCEAL_PACKET), timestamp);
  }

  /** Idempotent. The wasm build frees its memory here; the native build frees on GC. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    (this.encoder as { drop?: () => void }).drop?.();
    (this.decoder as { drop?: () => void }).drop?.();
  }

  /** Copies decoded PCM (native-endian bytes) into the reused frame. */
  private output(pcm: Uint8Array, timestamp: number): AudioFrame {
    this.pcmBytes.set(pcm);
    const length = pcm.length >> 1;
    // A new view only when the packet duration changes; 20 ms packets reuse the one they have.
    if (this.frame.samples.length !== length) this.frame.samples = this.pcm.subarray(0, length);
    this.frame.timestamp = timestamp;
    return this.frame;
  }

  private assertOpen(): void {
    if (this.closed) throw new VapiError('opus codec used after close()', { code: 'VAPI_ERR_CODEC_CLOSED', category: 'invalid_request', fix: 'create a new codec for a new stream' });
  }
}

/** Factory for `opus`; every codec it creates uses the plugin's encoder options. */
export function opusFactory(options: OpusOptions): AudioCodecFactory {
  return {
    name: 'opus',
    sampleRates: OPUS_SAMPLE_RATES,
    // A media worker (transport-webrtc) builds the same factory in its thread.
    workerRecipe: { module: import.meta.url, export: 'opusFactory', options },
    create(createOptions) {
      checkCodecOptions('opus', createOptions, OPUS_SAMPLE_RATES);
      return new OpusCodec(createOptions.sampleRate as OpusSampleRate, options);
    },
  };
}
