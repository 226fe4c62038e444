import t from 'tap';
import { audioFrame, concatPcm, sineWave, stageRefs, type VadEvent } from '@vapi-cn/sdk-plugin-api';
import { setupPlugin } from '@vapi-cn/sdk-plugin-api/testkit';
import resamplerPlugin from '../../../plugins/stage-resample-speex/src/index.js';
import vadPlugin from '../../../plugins/stage-vad-webrtc/src/index.js';
import { CallerAudio } from '../../src/call/caller-audio.js';

const resamplers = (await setupPlugin(resamplerPlugin)).registry(stageRefs.resamplers).get('speex')!;
const vads = (await setupPlugin(vadPlugin)).registry(stageRefs.vads).get('webrtc')!;

t.test('8 kHz caller audio is resampled, VAD events fire, the pre-roll holds the onset', async (t) => {
  const events: Array<[VadEvent, number]> = [];
  let frames = 0;
  let preRoll: Int16Array[] = [];
  const caller = new CallerAudio({
    inputRate: 8000,
    listenRate: 16000,
    resamplers,
    vad: vads.create({ sampleRate: 16000, minSpeechMs: 100, minSilenceMs: 200 }),
    preRollMs: 300,
    onSpeech: (event, at) => {
      events.push([event, at]);
      if (event === 'speech-start') preRoll = caller.preRoll();
    },
    onAudio: (frame) => {
      if (frame.sampleRate === 16000 && frame.samples.length === 320) frames++;
    },
  });
  t.teardown(() => caller.close());
  const signal = concatPcm([new Int16Array(8000), sineWave(300, 8000, 1000, 0.4), new Int16Array(8000)]);
  for (let f = 0; f < signal.length / 160; f++) caller.push(audioFrame(signal.slice(f * 160, (f + 1) * 160), 8000, f * 20));
  t.equal(frames, 150);
  t.same(events.map(([e]) => e), ['speech-start', 'speech-end']);
  t.ok(events[0]![1] >= 1000 && events[0]![1] <= 1200, `speech-start at ${events[0]![1]} ms`);
  t.equal(preRoll.length, 15, '300 ms of pre-roll');
  t.ok(preRoll[0]!.every((s) => s === 0), 'the pre-roll starts in the silence before the speech');
  t.ok(preRoll[preRoll.length - 1]!.some((s) => Math.abs(s) > 1000), 'and ends in the speech: the onset is kept');
});

t.test('malformed frames are dropped and counted; the stream goes on', async (t) => {
  const bad: unknown[] = [];
  let frames = 0;
  const caller = new CallerAudio({
    inputRate: 16000,
    listenRate: 16000,
    resamplers,
    vad: vads.create({ sampleRate: 16000 }),
    onSpeech: () => {},
    onAudio: () => frames++,
    onBadFrame: (error) => bad.push(error),
  });
  t.teardown(() => caller.close());
  caller.push(audioFrame(new Int16Array(320), 16000));
  caller.push(audioFrame(new Int16Array(100), 16000));
  caller.push(audioFrame(new Int16Array(160), 8000));
  caller.push(audioFrame(new Int16Array(320), 16000));
  t.equal(frames, 2);
  t.equal(caller.badFrames, 2);
  t.match(bad, [{ category: 'bad_input' }, { category: 'bad_input' }]);
});
