/** An L16 codec instance (one per call direction) and the factory that makes them. */
import { audioFrame, badAudioError, checkCodecOptions, FadeConcealer, ReusableBuffer, SAMPLE_RATES, samplesPerFrame, type AudioCodec, type AudioCodecFactory, type AudioFrame } from '@vapi-cn/sdk-plugin-api';

/**
 * L16: linear PCM16 in network byte order (big-endian, RFC 3551 §4.5.11), at any of the server's
 * sample rates. Bytes are swapped one at a time, which works at any payload alignment and on any
 * host. `encode()` returns a view into a buffer reused by the next call; `decode()` and
 * `conceal()` return the same frame object each time, over a reused sample buffer.
 */
export class L16Codec implements AudioCodec {
  readonly name = 'l16';
  private readonly payload: ReusableBuffer<Uint8Array>;
  private readonly pcm: ReusableBuffer<Int16Array>;
  private readonly frame: AudioFrame;
  private readonly concealer: FadeConcealer;

  constructor(readonly sampleRate: number) {
    const frameSize = samplesPerFrame(sampleRate);
    this.payload = new ReusableBuffer((n) => new Uint8Array(n), frameSize * 2);
    this.pcm = new ReusableBuffer((n) => new Int16Array(n), frameSize);
    this.frame = audioFrame(new Int16Array(0), sampleRate);
    this.concealer = new FadeConcealer(sampleRate, frameSize);
  }

  encode(frame: AudioFrame): Uint8Array {
    if (frame.sampleRate !== this.sampleRate) {
      throw badAudioError('VAPI_ERR_CODEC_FRAME_RATE', `l16 at ${this.sampleRate} Hz got a ${frame.sampleRate} Hz frame`, `resample to ${this.sampleRate} Hz before encoding`);
    }
    const input = frame.samples;
    if (input.length === 0) throw badAudioError('VAPI_ERR_CODEC_EMPTY', 'l16 got an empty frame', 'encode frames of at least one sample');
    const out = this.payload.view(input.length * 2);
    for (let i = 0, j = 0; i < input.length; i++, j += 2) {
      const sample = input[i]!;
      out[j] = sample >> 8;
      out[j + 1] = sample; // the byte array keeps the low 8 bits
    }
    return out;
  }

  decode(payload: Uint8Array, timestamp: number): AudioFrame {
    if (payload.length === 0) throw badAudioError('VAPI_ERR_CODEC_EMPTY', 'l16 got an empty payload', 'drop empty RTP packets before decoding');
    if (payload.length % 2 !== 0) {
      throw badAudioError('VAPI_ERR_CODEC_ODD_LENGTH', `l16 payload of ${payload.length} bytes is not whole 16-bit samples`, 'send whole big-endian 16-bit samples');
    }
    const samples = this.pcm.view(payload.length / 2);
    for (let i = 0, j = 0; i < samples.length; i++, j += 2) samples[i] = (payload[j]! << 8) | payload[j + 1]!; // wraps to signed on store
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

/** Factory for `l16` at any of the SDK's SAMPLE_RATES. */
export const l16Factory: AudioCodecFactory = {
  name: 'l16',
  sampleRates: SAMPLE_RATES,
  create(options) {
    checkCodecOptions('l16', options, SAMPLE_RATES);
    return new L16Codec(options.sampleRate);
  },
};
