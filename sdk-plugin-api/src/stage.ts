/**
 * Per-frame audio processing: codecs, resamplers, VAD, mixers. These run on every 20 ms frame of
 * every call, so the contract is synchronous and allocation-free: `process()` returns at once,
 * and may return a view into a buffer the stage reuses on the next call (copy it to keep it).
 * Instances are per call (they carry stream state); create them from the factory.
 */
import { createCollectionRef } from './refs.js';
import type { AudioFrame } from './frames.js';
import type { ResamplerFactory } from './media/resampler.js';
import type { MixerFactory } from './media/mixer.js';
import type { JitterBufferFactory } from './media/jitter-buffer.js';
import type { AudioPacerFactory } from './media/pacer.js';
import type { WorkerPortable } from './worker-recipe.js';

export interface AudioStage {
  readonly name: string;
  /** Transforms one frame. Returns null while the stage buffers (e.g. a resampler warming up). */
  process(frame: AudioFrame): AudioFrame | null;
  /** Drops internal state (barge-in, stream restart). */
  reset(): void;
  /** Releases native/wasm memory. Idempotent. */
  close(): void;
}

export interface AudioStageFactory<Options = Record<string, unknown>> {
  readonly name: string;
  create(options: Options): AudioStage;
}

export interface AudioCodec {
  /** `pcmu`, `pcma`, `opus`, `l16`. */
  readonly name: string;
  readonly sampleRate: number;
  /** Encoded payload of one frame; may be a reused buffer (copy it to keep it). */
  encode(frame: AudioFrame): Uint8Array;
  /** Decodes one payload; the frame may be reused. Malformed payloads throw a bad_input VapiError. */
  decode(payload: Uint8Array, timestamp: number): AudioFrame;
  /**
   * A frame to play in place of a lost packet: the codec's own loss concealment where it has one
   * (Opus), otherwise a fade-out of the last decoded frame.
   */
  conceal(timestamp: number): AudioFrame;
  /**
   * Optional: the share of this codec's packets the far end reports losing (0..1, from each RTCP
   * receiver report). A codec with forward error correction sizes it to this (Opus in-band FEC).
   */
  reportLoss?(fraction: number): void;
  close(): void;
}

export interface AudioCodecFactory extends WorkerPortable {
  readonly name: string;
  readonly sampleRates: readonly number[];
  create(options: { sampleRate: number; channels?: number }): AudioCodec;
}

export type VadEvent = 'speech-start' | 'speech-end';

export interface VoiceActivityDetector {
  readonly name: string;
  /** True between speech-start and speech-end. */
  readonly speaking: boolean;
  /** Feeds one frame; returns an event when the state changes on this frame. */
  process(frame: AudioFrame): VadEvent | null;
  reset(): void;
  close(): void;
}

/** Settings every VAD understands; a plugin's own options set its defaults. */
export interface VadOptions {
  sampleRate: number;
  /** 0 (lets most sound through as speech) .. 3 (strictest). */
  aggressiveness?: 0 | 1 | 2 | 3;
  /** Speech must last this long before speech-start is reported. */
  minSpeechMs?: number;
  /** Silence must last this long before speech-end is reported. */
  minSilenceMs?: number;
  /** Frames quieter than this (RMS dBFS) are silence without asking the model. */
  energyGateDbfs?: number;
}

export interface VadFactory {
  readonly name: string;
  /** Sample rates the detector takes directly; resample to one of them first. */
  readonly sampleRates: readonly number[];
  create(options: VadOptions): VoiceActivityDetector;
}

export const stageRefs = {
  stages: createCollectionRef<AudioStageFactory>('stages'),
  codecs: createCollectionRef<AudioCodecFactory>('codecs'),
  vads: createCollectionRef<VadFactory>('vads'),
  resamplers: createCollectionRef<ResamplerFactory>('resamplers'),
  mixers: createCollectionRef<MixerFactory>('mixers'),
  jitterBuffers: createCollectionRef<JitterBufferFactory>('jitter-buffers'),
  pacers: createCollectionRef<AudioPacerFactory>('pacers'),
} as const;
