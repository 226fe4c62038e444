/**
 * The caller's audio on the way in: leg frames → resampled to the listening rate → VAD. Speech
 * events go to the session; every frame is also handed on (for STT) and kept in a short ring, the
 * pre-roll, because the VAD confirms speech only after `minSpeechMs`: an STT stream opened at
 * speech-start gets the onset from the ring. Malformed frames are dropped and counted, never fatal.
 */
import {
  isVapiError,
  samplesPerFrame,
  type AudioFrame,
  type AudioStage,
  type ResamplerFactory,
  type VadEvent,
  type VoiceActivityDetector,
} from '@vapi-cn/sdk-plugin-api';

export interface CallerAudioOptions {
  inputRate: number;
  /** Rate the VAD and STT listen at. */
  listenRate: number;
  resamplers: ResamplerFactory;
  vad: VoiceActivityDetector;
  /** Audio kept from before speech-start, ms (default 400). */
  preRollMs?: number;
  onSpeech(event: VadEvent, atMs: number): void;
  /** Every listening-rate frame; valid during the call only (copy to keep). */
  onAudio(frame: AudioFrame): void;
  /** A frame was dropped as malformed (first of a run is worth a log line). */
  onBadFrame?(error: unknown): void;
}

export class CallerAudio {
  private readonly resampler: AudioStage | undefined;
  private readonly ring: Int16Array[];
  private ringNext = 0;
  private ringFilled = 0;
  private closed = false;
  badFrames = 0;

  constructor(private readonly options: CallerAudioOptions) {
    this.resampler =
      options.inputRate === options.listenRate ? undefined : options.resamplers.create({ inputRate: options.inputRate, outputRate: options.listenRate });
    const frames = Math.max(1, Math.ceil((options.preRollMs ?? 400) / 20));
    this.ring = Array.from({ length: frames }, () => new Int16Array(samplesPerFrame(options.listenRate)));
  }

  get speaking(): boolean {
    return this.options.vad.speaking;
  }

  push(frame: AudioFrame): void {
    if (this.closed) return;
    let heard: AudioFrame | null;
    let event: VadEvent | null;
    try {
      heard = this.resampler ? this.resampler.process(frame) : frame;
      if (!heard) return;
      event = this.options.vad.process(heard);
    } catch (error) {
      if (!isVapiError(error) || error.category !== 'bad_input') throw error;
      this.badFrames++;
      this.options.onBadFrame?.(error);
      return;
    }
    const slot = this.ring[this.ringNext]!;
    // The VAD has checked the frame is exactly 20 ms at the listening rate: the slot's size.
    slot.set(heard.samples);
    this.ringNext = (this.ringNext + 1) % this.ring.length;
    this.ringFilled = Math.min(this.ringFilled + 1, this.ring.length);
    if (event) this.options.onSpeech(event, heard.timestamp);
    this.options.onAudio(heard);
  }

  /** Copies of the buffered frames, oldest first (the current frame included). */
  preRoll(): Int16Array[] {
    const out: Int16Array[] = [];
    for (let i = this.ringFilled; i > 0; i--) out.push(this.ring[(this.ringNext - i + this.ring.length) % this.ring.length]!.slice());
    return out;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.resampler?.close();
    this.options.vad.close();
  }
}
