/**
 * stage-mixer: mixes the bot's voice with background audio (ambience, hold music) loaded from
 * files at boot, ducking the backgrounds under the voice and soft-clipping the sum.
 */
import { definePlugin, stageRefs, Type, VapiError } from '@vapi-cn/sdk-plugin-api';
import { loadBackground } from './background.js';
import { BackgroundMixerFactory } from './mixer-factory.js';

export { BackgroundMixerFactory, type MixerDefaults } from './mixer-factory.js';
export { Mixer } from './mixer.js';
export { softClip, SOFT_CLIP_KNEE } from './soft-clip.js';
export { convertClip, linearResample } from './rate-conversion.js';
export { loadBackground, type Background, type BackgroundConfig } from './background.js';

const BackgroundOptions = Type.Object(
  {
    id: Type.String({ minLength: 1, description: 'Name of the source in the mixer' }),
    file: Type.String({ minLength: 1, description: 'WAV, or raw PCM16 LE mono (.raw/.pcm); relative to the config file' }),
    sampleRate: Type.Optional(Type.Integer({ minimum: 4000, maximum: 192000, description: 'Sample rate of a raw file (required for raw)' })),
    gainDb: Type.Number({ default: -18, minimum: -96, maximum: 24 }),
    loop: Type.Boolean({ default: true }),
    duckDb: Type.Optional(Type.Number({ minimum: 0, maximum: 96, description: 'Ducking depth for this source (default: duckDb)' })),
  },
  { additionalProperties: false },
);

const Options = Type.Object(
  {
    voiceGainDb: Type.Number({ default: 0, minimum: -96, maximum: 24 }),
    duckDb: Type.Number({ default: 12, minimum: 0, maximum: 96, description: 'Attenuation of backgrounds under the voice' }),
    duckAttackMs: Type.Number({ default: 20, minimum: 0, maximum: 10000 }),
    duckReleaseMs: Type.Number({ default: 300, minimum: 0, maximum: 10000 }),
    backgrounds: Type.Array(BackgroundOptions, { default: [] }),
  },
  { additionalProperties: false },
);

export default definePlugin({
  id: 'stage-mixer',
  version: '1.0.0',
  apiVersion: '^1.0.0',
  description: 'Mixes the bot voice with looped background audio, with ducking and soft clipping',
  configSchema: Options,
  provides: [stageRefs.mixers],
  optional: { resamplers: stageRefs.resamplers },
  async setup(ctx, options) {
    const seen = new Set<string>();
    for (const { id } of options.backgrounds) {
      if (seen.has(id)) {
        throw new VapiError(`two mixer backgrounds are named '${id}'`, {
          code: 'VAPI_ERR_MIXER_BACKGROUND',
          category: 'invalid_request',
          fix: 'give each background a unique id',
        });
      }
      seen.add(id);
    }
    const backgrounds = await Promise.all(options.backgrounds.map((b) => loadBackground(b, ctx.baseDir)));
    const { backgrounds: _, ...defaults } = options;
    ctx.provide(stageRefs.mixers, 'default', new BackgroundMixerFactory(backgrounds, defaults, ctx.optionalDeps.resamplers?.get('speex'), ctx.log));
    ctx.log.info({ backgrounds: backgrounds.map((b) => ({ id: b.id, seconds: b.samples.length / b.sampleRate })) }, 'mixer ready');
  },
});
