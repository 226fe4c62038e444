/** The voices and languages the provider offers, and how a call's options pick one. */
import { VapiError } from '@vapi-cn/sdk-plugin-api';

/**
 * Voice ids, which are eSpeak NG voice names: `en-us` American English, `en` British English,
 * `cmn` Mandarin (reads Latin letters as English), `yue` Cantonese; `+f3` is eSpeak's female
 * variant. eSpeak ignores an unknown variant silently, hence a closed list.
 */
export const VOICES = ['en-us', 'en-us+f3', 'en', 'en+f3', 'cmn', 'cmn+f3', 'yue'] as const;

export type VoiceId = (typeof VOICES)[number];

/** BCP-47 tags a call may give instead of a voice. */
export const LANGUAGES = ['en-US', 'zh-CN'] as const;

/** Voice for a language tag (lower-cased); bare `en` and `zh` mean the listed regions. */
const LANGUAGE_VOICES: Readonly<Record<string, VoiceId>> = { 'en-us': 'en-us', en: 'en-us', 'zh-cn': 'cmn', zh: 'cmn' };

/**
 * The voice for a call: its `voice` if given (it wins over `language`), else the voice for its
 * `language`, else the plugin's default. Unknown ones are an invalid_request VapiError.
 */
export function selectVoice(options: { voice?: string; language?: string }, defaultVoice: VoiceId): VoiceId {
  if (options.voice !== undefined) {
    if ((VOICES as readonly string[]).includes(options.voice)) return options.voice as VoiceId;
    throw new VapiError(`eSpeak has no voice '${options.voice}'`, {
      code: 'VAPI_ERR_TTS_VOICE',
      category: 'invalid_request',
      fix: `use one of the voices ${VOICES.join(', ')}`,
    });
  }
  if (options.language !== undefined) {
    const voice = LANGUAGE_VOICES[options.language.toLowerCase()];
    if (voice) return voice;
    throw new VapiError(`eSpeak TTS does not speak '${options.language}'`, {
      code: 'VAPI_ERR_TTS_LANGUAGE',
      category: 'invalid_request',
      fix: `use one of the languages ${LANGUAGES.join(', ')}, or pick a voice (${VOICES.join(', ')})`,
    });
  }
  return defaultVoice;
}
