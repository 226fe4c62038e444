/**
 * Mixes the bot's voice with background sources (ambience, hold music): per-source gain, sources
 * ducked while the voice is present, soft clipping instead of wrap-around. Sources can be added and
 * removed mid-call. One instance per call.
 */
import type { AudioFrame } from '../frames.js';

export interface MixerSource {
  /** PCM16 mono at the mixer's sample rate. */
  samples: Int16Array;
  /** Start again at the end (default true); otherwise the source is removed when it ends. */
  loop?: boolean;
  /** Gain in dB (default 0). */
  gainDb?: number;
  /** Extra attenuation in dB while the voice plays (default: the mixer's duckDb). */
  duckDb?: number;
}

export interface MixerOptions {
  sampleRate: number;
  voiceGainDb?: number;
  /** Attenuation of background sources under the voice, dB (e.g. 12). */
  duckDb?: number;
  /** How fast ducking engages and releases. */
  duckAttackMs?: number;
  duckReleaseMs?: number;
}

export interface AudioMixer {
  readonly sampleRate: number;
  readonly sourceIds: readonly string[];
  addSource(id: string, source: MixerSource): void;
  removeSource(id: string): boolean;
  setSourceGain(id: string, gainDb: number): void;
  /**
   * One 20 ms frame out: `voice` (or silence when null) mixed with every source. Always returns a
   * frame at the mixer's rate; it is reused on the next call.
   */
  process(voice: AudioFrame | null, timestamp: number): AudioFrame;
  reset(): void;
  close(): void;
}

export interface MixerFactory {
  readonly name: string;
  /** A mixer with the plugin's configured background sources already added. */
  create(options: MixerOptions): AudioMixer;
}
