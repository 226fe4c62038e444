/**
 * Streaming speech-to-text. The engine opens one stream per utterance or per call, writes caller
 * audio as it arrives and reads transcripts as they come.
 *
 * Contract a vendor implements:
 * - `stream()` resolves once the vendor connection is ready to take audio (or fails with a
 *   VapiError: auth, rate_limit, connectivity...).
 * - `write()` never blocks and never throws for a live stream; buffer internally while the
 *   connection catches up. Audio arrives at `options.sampleRate`, PCM16 mono, usually 20 ms.
 * - Iterate the stream for results: interim transcripts (isFinal false) replace each other; a final
 *   one closes a segment. After `end()` the stream yields the remaining finals, then completes.
 * - Errors after the stream started are thrown from the iterator as a VapiError.
 * - `close()` aborts at once, releases sockets and timers, completes the iterator, and may be
 *   called any number of times. Aborting `options.signal` is the same as `close()`.
 */
import type { AudioFrame, TranscriptFrame } from '../frames.js';

export interface SttCapabilities {
  /** Sample rates accepted without resampling; the engine resamples to the first one otherwise. */
  sampleRates: number[];
  /** BCP-47 tags, e.g. `zh-CN`, `en-US`. */
  languages: string[];
  interimResults: boolean;
}

export interface SttStreamOptions {
  sampleRate: number;
  language?: string;
  /** Model name where the vendor has several. */
  model?: string;
  /** Phrases to bias recognition towards (hot words). */
  hints?: string[];
  /** Vendor-specific settings from the assistant's config. */
  extra?: Record<string, unknown>;
  signal?: AbortSignal;
}

export interface SttStream extends AsyncIterable<TranscriptFrame> {
  write(frame: AudioFrame): void;
  /** No more audio: flush and finish. */
  end(): void;
  close(): Promise<void>;
}

export interface SttProvider {
  /** Name assistants use to select it, e.g. `aliyun`. */
  readonly name: string;
  readonly capabilities: SttCapabilities;
  stream(options: SttStreamOptions): Promise<SttStream>;
}
