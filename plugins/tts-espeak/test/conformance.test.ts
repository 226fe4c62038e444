/** The SDK's TTS conformance suite on eSpeak (local: no vendor that could fail). */
import t from 'tap';
import { providerRefs } from '@vapi-cn/sdk-plugin-api';
import { runWithTap, setupPlugin, ttsConformance } from '@vapi-cn/sdk-plugin-api/testkit';
import plugin from '../src/index.js';

const harness = await setupPlugin(plugin);
await harness.start();
t.teardown(() => harness.stop());
await runWithTap(
  t,
  ttsConformance({
    create: () => harness.registry(providerRefs.tts).get('espeak')!,
    inducible: [],
    text: 'Hello, this is a conformance test of the local voice.',
    // The synthesis worker thread is the plugin's, started with it: not a per-session leak.
    leaks: { ignore: ['MessagePort', 'Worker'] },
  }),
);
