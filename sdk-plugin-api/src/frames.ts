/**
 * What flows through a call. Audio inside the server is always PCM16 mono, in 20 ms frames at
 * the stage's sample rate; codecs and resampling happen once, at the edges.
 */

/** Milliseconds per frame everywhere inside the server. */
export const FRAME_MS = 20;

/** Sample rates the media stages support. */
export const SAMPLE_RATES = [8000, 16000, 22050, 24000, 32000, 44100, 48000] as const;
export type SampleRate = (typeof SAMPLE_RATES)[number];

export interface AudioFrame {
  readonly kind: 'audio';
  /** PCM16 mono samples. May be a view into a reused buffer: copy it if you keep it past the call. */
  samples: Int16Array;
  sampleRate: number;
  /** Monotonic milliseconds of the first sample (the clock's `monotonic()` time base). */
  timestamp: number;
}

export interface TranscriptFrame {
  readonly kind: 'transcript';
  text: string;
  /** False for interim hypotheses that a later frame replaces. */
  isFinal: boolean;
  language?: string;
  /** 0..1 when the vendor reports it. */
  confidence?: number;
  /** Offsets of the utterance in the audio stream, milliseconds. */
  startMs?: number;
  endMs?: number;
}

export interface TextFrame {
  readonly kind: 'text';
  role: 'user' | 'assistant' | 'system';
  text: string;
}

export type DtmfDigit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '*' | '#' | 'A' | 'B' | 'C' | 'D';

export interface DtmfFrame {
  readonly kind: 'dtmf';
  digit: DtmfDigit;
  durationMs?: number;
}

/**
 * Control frames travel in their own lane and overtake data: an `interrupt` flushes queued bot
 * audio at once.
 */
export interface ControlFrame {
  readonly kind: 'control';
  type: 'start' | 'end' | 'interrupt' | 'speech-start' | 'speech-end' | 'mute' | 'unmute';
  reason?: string;
}

export type Frame = AudioFrame | TranscriptFrame | TextFrame | DtmfFrame | ControlFrame;

/** Samples in one frame of `ms` milliseconds at `sampleRate` (441 at 22.05 kHz, 20 ms). */
export function samplesPerFrame(sampleRate: number, ms: number = FRAME_MS): number {
  return Math.round((sampleRate * ms) / 1000);
}

export function audioFrame(samples: Int16Array, sampleRate: number, timestamp = 0): AudioFrame {
  return { kind: 'audio', samples, sampleRate, timestamp };
}

export function isDtmfDigit(value: string): value is DtmfDigit {
  return /^[0-9*#A-D]$/.test(value);
}
