/**
 * One Silero VAD per call: the model's speech probability per 32 ms window, turned into events by
 * SpeechGate with hysteresis (a frame enters speech at `threshold` and stays speech down to
 * `releaseThreshold`).
 */
import { dbfs, samplesPerFrame, SpeechGate, VapiError, type AudioFrame, type VadEvent, type VadOptions, type VoiceActivityDetector, checkVadAggressiveness, checkVadFrame, checkVadSampleRate } from '@vapi-cn/sdk-plugin-api';
import type { SileroSession } from './silero-session.js';
import { SileroStream } from './silero-stream.js';

/** The rates Silero v5 was trained on. */
export const SILERO_SAMPLE_RATES = [8000, 16000] as const;

/**
 * Probability thresholds per aggressiveness (enter speech, stay in speech). Level 1 is Silero's
 * own recommendation (0.5 / 0.35); each step up asks for more confidence.
 */
const SILERO_THRESHOLDS: Readonly<Record<0 | 1 | 2 | 3, { threshold: number; releaseThreshold: number }>> = {
  0: { threshold: 0.3, releaseThreshold: 0.15 },
  1: { threshold: 0.5, releaseThreshold: 0.35 },
  2: { threshold: 0.7, releaseThreshold: 0.55 },
  3: { threshold: 0.85, releaseThreshold: 0.7 },
};

export type SileroVadSettings = Required<VadOptions>;

export class SileroVad implements VoiceActivityDetector {
  readonly name = 'silero';
  readonly sampleRate: number;
  private readonly frameSize: number;
  private readonly gate: SpeechGate;
  private readonly stream: SileroStream;
  private closed = false;

  constructor(session: SileroSession, settings: SileroVadSettings) {
    checkVadSampleRate('Silero', settings.sampleRate, SILERO_SAMPLE_RATES);
    checkVadAggressiveness(settings.aggressiveness);
    this.sampleRate = settings.sampleRate;
    this.frameSize = samplesPerFrame(settings.sampleRate);
    this.gate = new SpeechGate({ ...settings, ...SILERO_THRESHOLDS[settings.aggressiveness] });
    this.stream = new SileroStream(session, settings.sampleRate as 8000 | 16000);
  }

  get speaking(): boolean {
    return this.gate.speaking;
  }

  process(frame: AudioFrame): VadEvent | null {
    if (this.closed) throw new VapiError('process() on a closed Silero VAD', { code: 'VAPI_ERR_VAD_CLOSED', category: 'invalid_request' });
    checkVadFrame('Silero', frame, this.sampleRate, this.frameSize);
    if (!this.gate.admits(dbfs(frame.samples))) {
      this.stream.skip();
      return this.gate.push(false);
    }
    this.stream.push(frame.samples);
    return this.gate.push(this.stream.probability);
  }

  reset(): void {
    this.stream.reset();
    this.gate.reset();
  }

  /** The model session is shared by every detector and released by the plugin; this only stops the detector. */
  close(): void {
    this.closed = true;
  }
}
