/**
 * The smoothing every VAD shares: a model says "speech or not" per 20 ms frame, and that verdict
 * flickers (a plosive, a breath, a noise burst). SpeechGate turns it into the two events callers
 * act on, speech-start after `minSpeechMs` of speech and speech-end after `minSilenceMs` of
 * silence, and puts an energy gate in front of the model so that near-silent frames cost nothing.
 * Allocation-free; one instance per call.
 */
import { VapiError } from '../errors.js';
import { FRAME_MS } from '../frames.js';
import type { VadEvent } from '../stage.js';

/** Durations are rounded to whole 20 ms frames, at least one. */
export interface SpeechGateOptions {
  /** Speech must last this long (consecutive frames) before speech-start. */
  minSpeechMs?: number;
  /** Silence must last this long (consecutive frames) before speech-end. */
  minSilenceMs?: number;
  /** Frames quieter than this (RMS dBFS) are silence without asking the model. -Infinity disables the gate. */
  energyGateDbfs?: number;
  /** A probability at or above this is speech (booleans count as 1 and 0). */
  threshold?: number;
  /**
   * While speaking, a frame stays speech down to this probability (hysteresis, so that a model
   * hovering around `threshold` does not cut an utterance up). Defaults to `threshold`.
   */
  releaseThreshold?: number;
}

/**
 * Defaults, measured with both VADs on synthesized English and Mandarin speech, clean and with
 * white noise down to 5 dB SNR:
 * - minSpeechMs 100: 40-60 ms let noise start extra utterances at 5 dB SNR; 160 ms rejects no
 *   more of them (with minSilenceMs 400) and starts 60 ms later.
 * - minSilenceMs 400: pauses inside a sentence (commas) reach 320 ms, and 200-300 ms split
 *   sentences; 600 ms merges separate sentences.
 * - energyGateDbfs -55: skips a third of the frames of the clean corpus (all its silence) with
 *   results identical to -65; from -45 up it trims the quietest onsets.
 * - threshold 0.5: the midpoint, for detectors that report a probability.
 */
export const SPEECH_GATE_DEFAULTS = {
  minSpeechMs: 100,
  minSilenceMs: 400,
  energyGateDbfs: -55,
  threshold: 0.5,
} as const;

/**
 * Usage, per frame:
 * ```ts
 * const level = dbfs(frame.samples);
 * const event = gate.push(gate.admits(level) && model.isSpeech(frame.samples));
 * ```
 */
export class SpeechGate {
  readonly minSpeechFrames: number;
  readonly minSilenceFrames: number;
  readonly energyGateDbfs: number;
  readonly threshold: number;
  readonly releaseThreshold: number;
  private isSpeaking = false;
  /** Consecutive frames that disagree with the current state. */
  private run = 0;

  /** Throws an invalid_request VapiError (`VAPI_ERR_VAD_OPTIONS`) for out-of-range options. */
  constructor(options: SpeechGateOptions = {}) {
    const minSpeechMs = options.minSpeechMs ?? SPEECH_GATE_DEFAULTS.minSpeechMs;
    const minSilenceMs = options.minSilenceMs ?? SPEECH_GATE_DEFAULTS.minSilenceMs;
    this.energyGateDbfs = options.energyGateDbfs ?? SPEECH_GATE_DEFAULTS.energyGateDbfs;
    this.threshold = options.threshold ?? SPEECH_GATE_DEFAULTS.threshold;
    this.releaseThreshold = options.releaseThreshold ?? this.threshold;
    check(Number.isFinite(minSpeechMs) && minSpeechMs >= 0, `minSpeechMs must be a duration >= 0, got ${minSpeechMs}`);
    check(Number.isFinite(minSilenceMs) && minSilenceMs >= 0, `minSilenceMs must be a duration >= 0, got ${minSilenceMs}`);
    check(this.energyGateDbfs <= 0, `energyGateDbfs must be a level <= 0 dBFS, got ${this.energyGateDbfs}`);
    check(this.threshold > 0 && this.threshold <= 1, `threshold must be in (0, 1], got ${this.threshold}`);
    check(this.releaseThreshold > 0 && this.releaseThreshold <= this.threshold, `releaseThreshold must be in (0, threshold], got ${this.releaseThreshold}`);
    // At least one frame each way: a state change is always confirmed by the frame that makes it.
    this.minSpeechFrames = Math.max(1, Math.round(minSpeechMs / FRAME_MS));
    this.minSilenceFrames = Math.max(1, Math.round(minSilenceMs / FRAME_MS));
  }

  /** True between speech-start and speech-end. */
  get speaking(): boolean {
    return this.isSpeaking;
  }

  /** False when a frame at `levelDbfs` is silence by energy alone: skip the model and push(false). */
  admits(levelDbfs: number): boolean {
    return levelDbfs >= this.energyGateDbfs;
  }

  /** Feeds one frame's verdict, a probability 0..1 or a boolean; returns the event this frame causes. */
  push(speech: number | boolean): VadEvent | null {
    const probability = speech === true ? 1 : speech === false ? 0 : speech;
    const isSpeech = probability >= (this.isSpeaking ? this.releaseThreshold : this.threshold);
    if (isSpeech === this.isSpeaking) {
      this.run = 0;
      return null;
    }
    this.run++;
    if (this.run < (this.isSpeaking ? this.minSilenceFrames : this.minSpeechFrames)) return null;
    this.run = 0;
    this.isSpeaking = !this.isSpeaking;
    return this.isSpeaking ? 'speech-start' : 'speech-end';
  }

  /** Back to silence, forgetting any partial run (stream restart). */
  reset(): void {
    this.isSpeaking = false;
    this.run = 0;
  }
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new VapiError(`VAD options: ${message}`, { code: 'VAPI_ERR_VAD_OPTIONS', category: 'invalid_request', fix: 'see VadOptions in @vapi-cn/sdk-plugin-api' });
}
