/** Accuracy on synthesized English and Mandarin speech, clean and in white noise (see the suite). */
import t from 'tap';
import { stageRefs } from '@vapi-cn/sdk-plugin-api';
import { setupPlugin } from '@vapi-cn/sdk-plugin-api/testkit';
import plugin from '../src/index.js';
import { testAccuracy } from '../../../test/fixtures/speech/accuracy.js';

const factory = (await setupPlugin(plugin)).registry(stageRefs.vads).get('silero')!;

// Measured (aggressiveness 1, the default), less a margin.
await testAccuracy(t, factory, {
  frames: {
    [Infinity]: { precision: 0.9, recall: 0.93 },
    20: { precision: 0.76, recall: 0.93 },
    10: { precision: 0.74, recall: 0.93 },
    5: { precision: 0.72, recall: 0.9 },
  },
  onsetMs: [60, 250],
  offsetMs: [380, 700],
});
