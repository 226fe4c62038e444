/** The SDK's STT conformance suite on PocketSphinx (local: no vendor that could fail). */
import t from 'tap';
import { concatPcm, providerRefs } from '@vapi-cn/sdk-plugin-api';
import { runWithTap, setupPlugin, sttConformance } from '@vapi-cn/sdk-plugin-api/testkit';
import plugin from '../src/index.js';
import { GRAMMAR, PHRASES, silence, speech } from './helpers.js';

// Real speech (eSpeak, resampled to 16 kHz) of a phrase the grammar knows, then a pause.
const audio = concatPcm([...(await speech(PHRASES[0]!)), ...silence(300)]);
const harness = await setupPlugin(plugin, { options: { grammar: GRAMMAR } });
await harness.start();
t.teardown(() => harness.stop());
await runWithTap(
  t,
  sttConformance({
    create: () => harness.registry(providerRefs.stt).get('pocketsphinx')!,
    audio: () => audio,
    inducible: [],
    // The warm spare decoder process is the plugin's, kept between streams: not a leak.
    leaks: { ignore: ['ProcessWrap', 'PipeWrap', 'FSReqCallback'] },
  }),
);
