/** The `espeak` TtsProvider: text in, 20 ms PCM16 frames at 22.05 kHz out, as they are made. */
import {
  audioFrame,
  FRAME_MS,
  FrameChunker,
  VapiError,
  type AudioFrame,
  type TtsCapabilities,
  type TtsOptions,
  type TtsProvider,
} from '@vapi-cn/sdk-plugin-api';
import type { EspeakPool } from './espeak-pool.js';
import { LANGUAGES, selectVoice, VOICES, type VoiceId } from './voices.js';

/** eSpeak NG's only output rate. */
export const ESPEAK_SAMPLE_RATE = 22050;

/** eSpeak's normal speaking rate (speed 1), and the range it accepts, in words per minute. */
export const NORMAL_WPM = 175;
const MIN_WPM = 80;
const MAX_WPM = 450;

/** Plugin-level settings; a call's `voice`, `language` and `speed` refine them. */
export interface EspeakSettings {
  defaultVoice: VoiceId;
  /** Factor of NORMAL_WPM. */
  speed: number;
  /** eSpeak base pitch, 0-100. */
  pitch: number;
}

export class EspeakTts implements TtsProvider {
  readonly name = 'espeak';
  readonly capabilities: TtsCapabilities = {
    sampleRates: [ESPEAK_SAMPLE_RATE],
    languages: [...LANGUAGES],
    voices: [...VOICES],
    streamingInput: false,
  };

  constructor(private readonly pool: EspeakPool, private readonly settings: EspeakSettings) {}

  /**
   * Yields 20 ms frames from the first chunk eSpeak makes (about 100 ms of audio, a few ms after
   * the job starts), whatever the text's length: eSpeak works clause by clause, so long text needs
   * no splitting here. Frames are always at 22.05 kHz (the engine resamples). Aborting `signal`
   * ends the iteration at once and stops the worker within one chunk.
   */
  async *synthesize(text: string | AsyncIterable<string>, options: TtsOptions): AsyncIterable<AudioFrame> {
    if (typeof text !== 'string') {
      throw new VapiError('eSpeak TTS takes whole text, not a stream of pieces', {
        code: 'VAPI_ERR_TTS_INPUT',
        category: 'invalid_request',
        fix: 'join the text first (capabilities.streamingInput is false)',
      });
    }
    const voice = selectVoice(options, this.settings.defaultVoice);
    const rate = Math.round(Math.min(MAX_WPM, Math.max(MIN_WPM, NORMAL_WPM * this.settings.speed * (options.speed ?? 1))));
    const signal = options.signal;
    if (text.trim() === '' || signal?.aborted) return;

    const chunks: Int16Array[] = [];
    let ended = false;
    let failure: VapiError | undefined;
    let wake: (() => void) | undefined;
    const notify = () => {
      wake?.();
      wake = undefined;
    };
    const job = this.pool.submit(
      { text, voice, rate, pitch: this.settings.pitch },
      {
        onAudio: (samples) => {
          chunks.push(samples);
          notify();
        },
        onEnd: (error) => {
          ended = true;
          failure = error;
          notify();
        },
      },
    );
    signal?.addEventListener('abort', notify);
    const chunker = new FrameChunker(ESPEAK_SAMPLE_RATE);
    const frames: Int16Array[] = [];
    // The chunker reuses its buffer; each yielded frame gets its own copy.
    const keep = (frame: Int16Array) => frames.push(frame.slice());
    let timestamp = 0;
    try {
      for (;;) {
        const chunk = chunks.shift();
        if (chunk) {
          chunker.push(chunk, keep);
        } else if (ended) {
          if (failure) throw failure;
          chunker.flush(keep);
        } else {
          await new Promise<void>((resolve) => (wake = resolve));
          if (signal?.aborted) return;
          continue;
        }
        for (const frame of frames.splice(0)) {
          if (signal?.aborted) return;
          yield audioFrame(frame, ESPEAK_SAMPLE_RATE, timestamp);
          timestamp += FRAME_MS;
        }
        if (!chunk) return;
      }
    } finally {
      signal?.removeEventListener('abort', notify);
      if (!ended) this.pool.cancel(job);
    }
  }
}
