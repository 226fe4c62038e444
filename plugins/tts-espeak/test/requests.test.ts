/** Requests the provider refuses, as invalid_request VapiErrors that say what would work. */
import t from 'tap';
import { isVapiError } from '@vapi-cn/sdk-plugin-api';
import { VOICES } from '../src/index.js';
import { ENGLISH, espeak, frames } from './helpers.js';

const tts = await espeak(t);

t.test('an unknown voice names the voices there are', async (t) => {
  const error = await frames(tts, ENGLISH, { voice: 'en-scottish-robot' }).catch((e: unknown) => e);
  t.ok(isVapiError(error));
  t.match(error, { code: 'VAPI_ERR_TTS_VOICE', category: 'invalid_request', retryable: false, message: /en-scottish-robot/ });
  for (const voice of VOICES) t.match((error as { fix: string }).fix, voice);
});

t.test('an unknown language names the languages and voices there are', async (t) => {
  await t.rejects(frames(tts, ENGLISH, { language: 'fr-FR' }), { code: 'VAPI_ERR_TTS_LANGUAGE', category: 'invalid_request', fix: /en-US, zh-CN.*cmn/ });
  t.ok((await frames(tts, ENGLISH, { language: 'fr-FR', voice: 'en' })).length > 0, 'a voice overrides the language');
});

t.test('streamed text input is refused (streamingInput is false)', async (t) => {
  async function* pieces() {
    yield 'Hello';
  }
  await t.rejects(frames(tts, pieces() as never), { code: 'VAPI_ERR_TTS_INPUT', category: 'invalid_request' });
});
