/** Audio and requests the decoder cannot take: refused as VapiErrors, the decoder killed. */
import t from 'tap';
import { existsSync } from 'node:fs';
import { audioFrame, isVapiError } from '@vapi-cn/sdk-plugin-api';
import type { PocketsphinxStream } from '../src/index.js';
import { GRAMMAR, pocketsphinx, speech } from './helpers.js';

const { stt } = await pocketsphinx(t, { grammar: GRAMMAR, warm: false });

t.test('a stream at another rate is refused as bad_input', async (t) => {
  for (const sampleRate of [8000, 22050, 48000]) {
    await t.rejects(stt.stream({ sampleRate }), { code: 'VAPI_ERR_STT_SAMPLE_RATE', category: 'bad_input', retryable: false, fix: /16000/ }, `${sampleRate} Hz`);
  }
});

t.test('a frame at another rate fails the live stream as bad_input and kills the decoder', async (t) => {
  const stream = (await stt.stream({ sampleRate: 16000 })) as PocketsphinxStream;
  const audio = await speech('yes please');
  stream.write(audioFrame(audio[0]!, 16000));
  // write() does not throw: the iterator reports it.
  t.doesNotThrow(() => stream.write(audioFrame(new Int16Array(160), 8000)));
  stream.write(audioFrame(audio[1]!, 16000));
  const error = await (async () => {
    for await (const _ of stream);
  })().catch((e: unknown) => e);
  t.ok(isVapiError(error));
  t.match(error, { code: 'VAPI_ERR_STT_SAMPLE_RATE', category: 'bad_input', message: /8000 Hz/ });
  t.notOk(existsSync(`/proc/${stream.pid}`), 'decoder killed');
});

t.test('another language is refused as invalid_request', async (t) => {
  await t.rejects(stt.stream({ sampleRate: 16000, language: 'zh-CN' }), { code: 'VAPI_ERR_STT_LANGUAGE', category: 'invalid_request' });
  for (const language of ['en-US', 'en-us', 'en']) {
    const stream = await stt.stream({ sampleRate: 16000, language });
    await stream.close();
  }
});
