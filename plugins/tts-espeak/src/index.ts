/**
 * tts-espeak: offline text-to-speech with eSpeak NG compiled to wasm, English and Mandarin,
 * registered as the `espeak` entry of providerRefs.tts. eSpeak is loaded once per worker thread
 * in setup(); synthesis runs on those threads, so it never stalls the server's event loop.
 */
import { definePlugin, providerRefs, Type } from '@vapi-cn/sdk-plugin-api';
import { EspeakPool } from './espeak-pool.js';
import { EspeakTts } from './espeak-tts.js';
import { VOICES } from './voices.js';

export { EspeakTts, ESPEAK_SAMPLE_RATE, NORMAL_WPM, type EspeakSettings } from './espeak-tts.js';
export { EspeakPool, type SynthesisJob, type SynthesisListener, type SynthesisRequest } from './espeak-pool.js';
export { LANGUAGES, selectVoice, VOICES, type VoiceId } from './voices.js';

const Options = Type.Object(
  {
    defaultVoice: Type.Union(
      VOICES.map((voice) => Type.Literal(voice)),
      { default: 'en-us', description: 'Voice for calls that name neither a voice nor a language' },
    ),
    speed: Type.Number({
      minimum: 0.5,
      maximum: 2.5,
      default: 1,
      description: "Speaking rate as a factor of eSpeak's normal 175 words per minute; a call's own speed multiplies it",
    }),
    pitch: Type.Integer({ minimum: 0, maximum: 100, default: 50, description: 'eSpeak base pitch, 0 (low) .. 100 (high)' }),
    workers: Type.Integer({
      minimum: 1,
      maximum: 16,
      default: 1,
      description: 'Worker threads, each its own eSpeak (about 45 MB): how many syntheses run at once; more wait their turn',
    }),
  },
  { additionalProperties: false },
);

export default definePlugin({
  id: 'tts-espeak',
  version: '1.0.0',
  apiVersion: '^1.0.0',
  description: 'Offline TTS with eSpeak NG (wasm on worker threads), English and Mandarin',
  configSchema: Options,
  provides: [providerRefs.tts],
  async setup(ctx, options) {
    const pool = await EspeakPool.start(options.workers);
    ctx.provide(providerRefs.tts, 'espeak', new EspeakTts(pool, { defaultVoice: options.defaultVoice, speed: options.speed, pitch: options.pitch }));
    ctx.log.debug({ workers: options.workers, defaultVoice: options.defaultVoice }, 'eSpeak TTS ready');
    return pool;
  },
  async stop(_ctx, pool) {
    await pool.close();
  },
});
