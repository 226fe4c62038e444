/**
 * Several calls at once: each synthesis gets its own audio, whole and in order, whether jobs
 * queue for one worker or run on several (each worker is its own eSpeak instance).
 */
import t from 'tap';
import { dbfs } from '@vapi-cn/sdk-plugin-api';
import { ENGLISH, espeak, MANDARIN, sameRendering, seconds, speak } from './helpers.js';

const JOBS: Array<[string, string]> = [
  ['en-us', ENGLISH],
  ['cmn', MANDARIN],
  ['en+f3', 'Your order has shipped.'],
  ['cmn+f3', '请稍等，我帮您查一下您的订单状态，谢谢您的耐心等待。'],
];

for (const workers of [1, 2]) {
  t.test(`${workers} worker(s): 8 concurrent syntheses each match their own sequential rendering`, async (t) => {
    const tts = await espeak(t, { workers });
    const alone: Int16Array[] = [];
    for (const [voice, text] of JOBS) alone.push(await speak(tts, text, { voice }));
    const together = await Promise.all([...JOBS, ...JOBS].map(([voice, text]) => speak(tts, text, { voice })));
    together.forEach((samples, i) => {
      const reference = alone[i % JOBS.length]!;
      t.ok(sameRendering(samples, reference), `${JOBS[i % JOBS.length]![0]}: ${seconds(samples).toFixed(2)} s, alone ${seconds(reference).toFixed(2)} s`);
      t.ok(Math.abs(dbfs(samples) - dbfs(reference)) < 1, 'same level');
    });
  });
}
