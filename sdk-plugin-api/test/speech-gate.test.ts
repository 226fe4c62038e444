import t from 'tap';
import { SPEECH_GATE_DEFAULTS, SpeechGate, type SpeechGateOptions } from '../src/audio/speech-gate.js';
import type { VadEvent } from '../src/stage.js';

/** Pushes one verdict per frame ('1' speech, '0' silence, or probabilities) and lists the events as `frame:event`. */
function run(gate: SpeechGate, verdicts: string | readonly number[]): string[] {
  const events: string[] = [];
  [...verdicts].forEach((v, frame) => {
    const event: VadEvent | null = gate.push(typeof v === 'number' ? v : v === '1');
    if (event) events.push(`${frame}:${event}`);
  });
  return events;
}

const gate = (options: SpeechGateOptions = {}) => new SpeechGate(options);

t.test('defaults: 100 ms of speech to start, 400 ms of silence to end, -55 dBFS gate', async (t) => {
  t.same(SPEECH_GATE_DEFAULTS, { minSpeechMs: 100, minSilenceMs: 400, energyGateDbfs: -55, threshold: 0.5 });
  const g = gate();
  t.equal(g.minSpeechFrames, 5);
  t.equal(g.minSilenceFrames, 20);
  t.same(run(g, '1111' + '1' + '0'.repeat(19) + '0'), ['4:speech-start', '24:speech-end']);
});

t.test('speech-start needs minSpeechMs of consecutive speech; a gap restarts the count', async (t) => {
  const g = gate({ minSpeechMs: 60, minSilenceMs: 60 });
  t.same(run(g, '110110111'), ['8:speech-start']);
  t.ok(g.speaking);
});

t.test('speech-end needs minSilenceMs of consecutive silence; short pauses are bridged', async (t) => {
  const g = gate({ minSpeechMs: 20, minSilenceMs: 80 });
  t.same(run(g, '1' + '000' + '1' + '000' + '1' + '0000'), ['0:speech-start', '12:speech-end']);
  t.notOk(g.speaking);
});

t.test('zero durations react on the very frame', async (t) => {
  t.same(run(gate({ minSpeechMs: 0, minSilenceMs: 0 }), '0101'), ['1:speech-start', '2:speech-end', '3:speech-start']);
});

t.test('an isolated blip never starts speech; steady silence never ends it twice', async (t) => {
  const g = gate();
  t.same(run(g, '0000100001000'), []);
  t.same(run(g, '1'.repeat(5) + '0'.repeat(50)), ['4:speech-start', '24:speech-end']);
});

t.test('probabilities: threshold to enter, releaseThreshold to stay (hysteresis)', async (t) => {
  const hysteresis = gate({ minSpeechMs: 20, minSilenceMs: 20, threshold: 0.5, releaseThreshold: 0.3 });
  t.same(run(hysteresis, [0.4, 0.6, 0.4, 0.35, 0.29, 0.45]), ['1:speech-start', '4:speech-end']);
  // Without hysteresis the same sequence flickers.
  const plain = gate({ minSpeechMs: 20, minSilenceMs: 20, threshold: 0.5 });
  t.same(run(plain, [0.4, 0.6, 0.4, 0.35, 0.29, 0.45]), ['1:speech-start', '2:speech-end']);
  t.equal(plain.releaseThreshold, 0.5);
});

t.test('energy gate: frames below energyGateDbfs are not admitted; -Infinity admits digital silence', async (t) => {
  const g = gate({ energyGateDbfs: -50 });
  t.equal(g.admits(-49.9), true);
  t.equal(g.admits(-50), true);
  t.equal(g.admits(-50.1), false);
  t.equal(g.admits(-Infinity), false);
  t.equal(gate({ energyGateDbfs: -Infinity }).admits(-Infinity), true);
});

t.test('reset() returns to silence and forgets a partial run', async (t) => {
  const g = gate({ minSpeechMs: 60, minSilenceMs: 60 });
  run(g, '111');
  t.ok(g.speaking);
  g.reset();
  t.notOk(g.speaking);
  t.same(run(g, '11'), [], 'a partial run before reset does not count');
  g.reset();
  t.same(run(g, '111'), ['2:speech-start']);
});

t.test('out-of-range options are an invalid_request VapiError', async (t) => {
  const bad: SpeechGateOptions[] = [
    { minSpeechMs: -1 },
    { minSilenceMs: NaN },
    { minSilenceMs: Infinity },
    { energyGateDbfs: 3 },
    { energyGateDbfs: NaN },
    { threshold: 0 },
    { threshold: 1.5 },
    { threshold: 0.5, releaseThreshold: 0.6 },
    { releaseThreshold: 0 },
  ];
  for (const options of bad) {
    t.throws(() => new SpeechGate(options), { code: 'VAPI_ERR_VAD_OPTIONS', category: 'invalid_request' }, Object.entries(options).map(([k, v]) => `${k} ${v}`).join(', '));
  }
});
