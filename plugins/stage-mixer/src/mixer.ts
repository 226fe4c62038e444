/**
 * One call's mixer: the voice plus any number of PCM16 sources summed in a float accumulator,
 * sources ducked under the voice, the sum soft-clipped back to PCM16. Every buffer is allocated
 * at creation; process() allocates nothing.
 */
import { audioFrame, dbToGain, FRAME_MS, samplesPerFrame, VapiError, type AudioFrame, type AudioMixer, type MixerOptions, type MixerSource } from '@vapi-cn/sdk-plugin-api';
import { softClip } from './soft-clip.js';

/** Voice quieter than this (RMS) does not duck the sources: line hiss, breath, dither. */
const VOICE_PRESENT_DBFS = -50;

interface SourceState {
  readonly id: string;
  readonly samples: Int16Array;
  readonly loop: boolean;
  readonly duckDb: number;
  /** Linear gain. */
  gain: number;
  /** Next sample to play. */
  position: number;
}

/** A mixer at one sample rate; see AudioMixer for the contract. */
export class Mixer implements AudioMixer {
  readonly sampleRate: number;
  private readonly frameSize: number;
  private readonly sum: Float32Array;
  private readonly frame: AudioFrame;
  private readonly voiceGain: number;
  private readonly duckDb: number;
  /** Change of the duck amount per frame while engaging and releasing. */
  private readonly attackStep: number;
  private readonly releaseStep: number;
  /** Sum of squares over one frame at the voice-present threshold. */
  private readonly presenceEnergy: number;
  private sources: SourceState[] = [];
  private ids: readonly string[] = [];
  /** How far the ducking is engaged: 0 none, 1 the full depth (linear in dB in between). */
  private duck = 0;

  constructor(options: Required<MixerOptions>) {
    this.sampleRate = options.sampleRate;
    this.frameSize = samplesPerFrame(options.sampleRate);
    this.sum = new Float32Array(this.frameSize);
    this.frame = audioFrame(new Int16Array(this.frameSize), options.sampleRate);
    this.voiceGain = dbToGain(options.voiceGainDb);
    this.duckDb = options.duckDb;
    this.attackStep = options.duckAttackMs > 0 ? FRAME_MS / options.duckAttackMs : 1;
    this.releaseStep = options.duckReleaseMs > 0 ? FRAME_MS / options.duckReleaseMs : 1;
    this.presenceEnergy = Math.pow(32768 * dbToGain(VOICE_PRESENT_DBFS), 2) * this.frameSize;
  }

  get sourceIds(): readonly string[] {
    return this.ids;
  }

  /** Adds a source, or replaces the one with the same id (which then starts from its beginning). */
  addSource(id: string, source: MixerSource): void {
    if (!(source.samples instanceof Int16Array) || source.samples.length === 0) {
      throw new VapiError(`mixer source '${id}' has no samples`, {
        code: 'VAPI_ERR_MIXER_SOURCE',
        category: 'bad_input',
        fix: `give PCM16 mono samples at ${this.sampleRate} Hz`,
      });
    }
    const state: SourceState = {
      id,
      samples: source.samples,
      loop: source.loop ?? true,
      duckDb: source.duckDb ?? this.duckDb,
      gain: dbToGain(source.gainDb ?? 0),
      position: 0,
    };
    const index = this.sources.findIndex((s) => s.id === id);
    if (index >= 0) this.sources[index] = state;
    else this.sources.push(state);
    this.ids = this.sources.map((s) => s.id);
  }

  removeSource(id: string): boolean {
    const index = this.sources.findIndex((s) => s.id === id);
    if (index < 0) return false;
    this.sources.splice(index, 1);
    this.ids = this.sources.map((s) => s.id);
    return true;
  }

  /** Does nothing for an unknown id: a non-looping source may have just ended and gone. */
  setSourceGain(id: string, gainDb: number): void {
    const source = this.sources.find((s) => s.id === id);
    if (source) source.gain = dbToGain(gainDb);
  }

  process(voice: AudioFrame | null, timestamp: number): AudioFrame {
    const n = this.frameSize;
    const sum = this.sum;
    let energy = 0;
    if (voice) {
      this.checkVoice(voice);
      const v = voice.samples;
      const gain = this.voiceGain;
      for (let i = 0; i < n; i++) {
        const s = v[i]!;
        energy += s * s;
        sum[i] = s * gain;
      }
    } else {
      sum.fill(0);
    }

    const from = this.duck;
    this.duck = energy > this.presenceEnergy ? Math.min(1, from + this.attackStep) : Math.max(0, from - this.releaseStep);
    for (let k = 0; k < this.sources.length; ) {
      if (this.mixSource(this.sources[k]!, from, this.duck)) k++;
      else {
        this.sources.splice(k, 1);
        this.ids = this.sources.map((s) => s.id);
      }
    }

    const out = this.frame.samples;
    // floor(x + 0.5) rounds as Math.round does; V8 compiles Math.round to a much slower sequence here.
    for (let i = 0; i < n; i++) out[i] = Math.floor(softClip(sum[i]!) + 0.5);
    this.frame.timestamp = timestamp;
    return this.frame;
  }

  /** Drops the ducking state; sources keep their positions, so ambience does not restart audibly. */
  reset(): void {
    this.duck = 0;
  }

  close(): void {
    this.sources = [];
    this.ids = [];
  }

  /**
   * Adds one source into the accumulator, its gain ramped linearly across the frame from the
   * ducking at the frame's start to that at its end (no steps, so no zipper noise). Returns false
   * when a non-looping source has ended.
   */
  private mixSource(source: SourceState, duckFrom: number, duckTo: number): boolean {
    const n = this.frameSize;
    const sum = this.sum;
    const samples = source.samples;
    const length = samples.length;
    let gain = source.gain * dbToGain(-source.duckDb * duckFrom);
    const step = (source.gain * dbToGain(-source.duckDb * duckTo) - gain) / n;
    let position = source.position;
    for (let i = 0; i < n; ) {
      const end = i + Math.min(n - i, length - position);
      for (; i < end; i++) {
        sum[i] += samples[position++]! * gain;
        gain += step;
      }
      if (position === length) {
        if (!source.loop) return false;
        position = 0;
      }
    }
    source.position = position;
    return true;
  }

  private checkVoice(voice: AudioFrame): void {
    if (voice.sampleRate !== this.sampleRate) {
      throw new VapiError(`mixer runs at ${this.sampleRate} Hz, got a voice frame at ${voice.sampleRate} Hz`, {
        code: 'VAPI_ERR_MIXER_SAMPLE_RATE',
        category: 'bad_input',
        fix: `resample the voice to ${this.sampleRate} Hz before mixing`,
      });
    }
    if (voice.samples.length !== this.frameSize) {
      throw new VapiError(`mixer takes ${this.frameSize}-sample frames (${FRAME_MS} ms at ${this.sampleRate} Hz), got ${voice.samples.length}`, {
        code: 'VAPI_ERR_MIXER_FRAME_SIZE',
        category: 'bad_input',
        fix: 're-frame the voice into 20 ms frames (FrameChunker)',
      });
    }
  }
}
