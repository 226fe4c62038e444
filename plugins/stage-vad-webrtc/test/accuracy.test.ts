/** Accuracy on synthesized English and Mandarin speech, clean and in white noise (see the suite). */
import t from 'tap';
import { stageRefs } from '@vapi-cn/sdk-plugin-api';
import { setupPlugin } from '@vapi-cn/sdk-plugin-api/testkit';
import plugin from '../src/index.js';
import { testAccuracy } from '../../../test/fixtures/speech/accuracy.js';

const factory = (await setupPlugin(plugin)).registry(stageRefs.vads).get('webrtc')!;

// Measured (mode 3, the default), less a margin.
await testAccuracy(t, factory, {
  frames: {
    [Infinity]: { precision: 0.88, recall: 0.95 },
    20: { precision: 0.8, recall: 0.9 },
    10: { precision: 0.8, recall: 0.88 },
    5: { precision: 0.74, recall: 0.82 },
  },
  onsetMs: [60, 200],
  offsetMs: [380, 600],
});
