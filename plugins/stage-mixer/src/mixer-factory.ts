/**
 * Creates per-call mixers with the configured backgrounds added. Backgrounds are converted to a
 * call's rate once per rate and shared by every mixer at that rate (mixers only read them).
 */
import { assertSampleRate, type AudioMixer, type Logger, type MixerFactory, type MixerOptions, type MixerSource, type ResamplerFactory } from '@vapi-cn/sdk-plugin-api';
import type { Background } from './background.js';
import { convertClip, linearResample } from './rate-conversion.js';
import { Mixer } from './mixer.js';

/** Mixer settings a call does not override. */
export type MixerDefaults = Required<Omit<MixerOptions, 'sampleRate'>>;

/** The plugin's MixerFactory, entry 'default' of stageRefs.mixers. */
export class BackgroundMixerFactory implements MixerFactory {
  readonly name = 'default';
  private readonly byRate = new Map<number, ReadonlyArray<[string, MixerSource]>>();

  /** `resampler` converts backgrounds when given (else linear interpolation); `log` reports its failures. */
  constructor(
    private readonly backgrounds: readonly Background[],
    private readonly defaults: MixerDefaults,
    private readonly resampler: ResamplerFactory | undefined,
    private readonly log: Logger,
  ) {}

  create(options: MixerOptions): AudioMixer {
    assertSampleRate(options.sampleRate);
    const mixer = new Mixer({
      sampleRate: options.sampleRate,
      voiceGainDb: options.voiceGainDb ?? this.defaults.voiceGainDb,
      duckDb: options.duckDb ?? this.defaults.duckDb,
      duckAttackMs: options.duckAttackMs ?? this.defaults.duckAttackMs,
      duckReleaseMs: options.duckReleaseMs ?? this.defaults.duckReleaseMs,
    });
    for (const [id, source] of this.sourcesAt(options.sampleRate)) mixer.addSource(id, source);
    return mixer;
  }

  private sourcesAt(rate: number): ReadonlyArray<[string, MixerSource]> {
    let sources = this.byRate.get(rate);
    if (!sources) {
      sources = this.backgrounds.map((b) => [b.id, { samples: this.convert(b, rate), loop: b.loop, gainDb: b.gainDb, duckDb: b.duckDb }]);
      this.byRate.set(rate, sources);
    }
    return sources;
  }

  private convert(background: Background, rate: number): Int16Array {
    try {
      return convertClip(background.samples, background.sampleRate, rate, background.loop, this.resampler);
    } catch (error) {
      // A broken resampler should cost quality, not the call.
      this.log.warn({ err: error, background: background.id, rate }, 'resampler failed on a mixer background; using linear interpolation');
      return linearResample(background.samples, background.sampleRate, rate, background.loop);
    }
  }
}
