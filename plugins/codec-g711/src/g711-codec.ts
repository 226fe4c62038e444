/** A G.711 codec instance (one per call direction) and the factory that makes them. */
import { audioFrame, badAudioError, checkCodecOptions, FadeConcealer, ReusableBuffer, samplesPerFrame, type AudioCodec, type AudioCodecFactory, type AudioFrame } from '@vapi-cn/sdk-plugin-api';
import { decodeWith, encodeWith, type G711Tables } from './g711-tables.js';

const SAMPLE_RATE = 8000;
const SAMPLE_RATES = [SAMPLE_RATE] as const;

/**
 * G.711 µ-law or A-law at 8 kHz. One byte per sample, so any frame length is valid (RFC 3551
 * allows any packet time); frames of a steady length encode and decode without allocating.
 * `encode()` returns a view into a buffer reused by the next call; `decode()` and `conceal()`
 * return the same frame object each time, over a reused sample buffer.
 */
export class G711Codec implements AudioCodec {
  readonly sampleRate = SAMPLE_RATE;
  private readonly payload = new ReusableBuffer((n) => new Uint8Array(n), samplesPerFrame(SAMPLE_RATE));
  private readonly pcm = new ReusableBuffer((n) => new Int16Array(n), samplesPerFrame(SAMPLE_RATE));
  private readonly frame: AudioFrame = audioFrame(new Int16Array(0), SAMPLE_RATE);
  private readonly concealer = new FadeConcealer(SAMPLE_RATE, samplesPerFrame(SAMPLE_RATE));

  constructor(readonly name: string, private readonly tables: G711Tables) {}

  encode(frame: AudioFrame): Uint8Array {
    if (frame.sampleRate !== SAMPLE_RATE) {
      throw badAudioError('VAPI_ERR_CODEC_FRAME_RATE', `${this.name} got a ${frame.sampleRate} Hz frame; G.711 is 8000 Hz`, 'resample to 8000 Hz before encoding');
    }
    if (frame.samples.length === 0) throw badAudioError('VAPI_ERR_CODEC_EMPTY', `${this.name} got an empty frame`, 'encode frames of at least one sample');
    const out = this.payload.view(frame.samples.length);
    encodeWith(this.tables.encode, frame.samples, out);
    return out;
  }

  decode(payload: Uint8Array, timestamp: number): AudioFrame {
    if (payload.length === 0) throw badAudioError('VAPI_ERR_CODEC_EMPTY', `${this.name} got an empty payload`, 'drop empty RTP packets before decoding');
    const samples = this.pcm.view(payload.length);
    decodeWith(this.tables.decode, payload, samples);
    this.concealer.remember(samples);
    return this.output(samples, timestamp);
  }

  conceal(timestamp: number): AudioFrame {
    return this.output(this.concealer.next(this.pcm), timestamp);
  }

  /** Nothing native to release. */
  close(): void {}

  private output(samples: Int16Array, timestamp: number): AudioFrame {
    this.frame.samples = samples;
    this.frame.timestamp = timestamp;
    return this.frame;
  }
}

/** Factory for one G.711 law, registered under `name` (`pcmu`, `pcma`). */
export function g711Factory(name: string, tables: G711Tables): AudioCodecFactory {
  return {
    name,
    sampleRates: SAMPLE_RATES,
    create(options) {
      checkCodecOptions(name, options, SAMPLE_RATES);
      return new G711Codec(name, tables);
    },
  };
}
