/**
 * Streaming text-to-speech.
 *
 * Contract a vendor implements:
 * - `synthesize()` takes a sentence (or an async iterable of text pieces, if
 *   `capabilities.streamingInput`) and yields audio as soon as the vendor sends it: the time to
 *   the first frame is what callers hear as latency.
 * - Frames are PCM16 mono at `options.sampleRate` if it is in `capabilities.sampleRates`,
 *   otherwise at the first supported rate (the engine resamples). Frames may be any length; the
 *   engine re-frames to 20 ms.
 * - Aborting `options.signal` (barge-in) stops the iteration within a few ms and closes the vendor
 *   connection; it is not an error. Failures are thrown as a VapiError.
 */
import type { AudioFrame } from '../frames.js';

export interface TtsCapabilities {
  sampleRates: number[];
  languages: string[];
  /** Voice ids; an empty list means any id the vendor accepts. */
  voices: string[];
  /** True when synthesize() accepts an async iterable of text and starts before it ends. */
  streamingInput: boolean;
}

export interface TtsOptions {
  sampleRate: number;
  voice?: string;
  language?: string;
  /** 1 is normal speed. */
  speed?: number;
  extra?: Record<string, unknown>;
  signal?: AbortSignal;
}

export interface TtsProvider {
  readonly name: string;
  readonly capabilities: TtsCapabilities;
  synthesize(text: string | AsyncIterable<string>, options: TtsOptions): AsyncIterable<AudioFrame>;
}
