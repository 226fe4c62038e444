/**
 * The media plugins wired by the real kernel from config: both call chains run through the
 * registries, and a bad background file stops the boot with a clear error.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { dbfs, sineWave, stageRefs, audioFrame, zeroCrossingFrequency, concatPcm } from '@vapi-cn/sdk-plugin-api';
import { Kernel, loadConfigFile, planBoot, resolveConfig } from '@vapi-cn/core';
import { captureLogs } from '../core/test/helpers.js';

const REPO = fileURLToPath(new URL('../', import.meta.url));

t.test('config/examples/media.yaml boots and both chains carry a tone', async (t) => {
  const config = await loadConfigFile(path.join(REPO, 'config/examples/media.yaml'), { env: { PORT: '0', VAPI_CN_DATA_DIR: 'memory://' } });
  const kernel = await Kernel.start(await planBoot(config), { logDestination: captureLogs().stream, defaultMetrics: false });
  t.teardown(() => kernel.stop());
  const codecs = kernel.container.collection(stageRefs.codecs);
  const resamplers = kernel.container.collection(stageRefs.resamplers);
  const vads = kernel.container.collection(stageRefs.vads);
  const mixers = kernel.container.collection(stageRefs.mixers);
  t.same(codecs.keys().sort(), ['l16', 'opus', 'pcma', 'pcmu']);
  t.same(vads.keys().sort(), ['silero', 'webrtc']);

  // Telephone: caller tone µ-law 8k → decode → 16k → VAD; bot tone 24k → mixer → 8k → µ-law.
  const pcmu = codecs.get('pcmu')!.create({ sampleRate: 8000 });
  const up = resamplers.get('speex')!.create({ inputRate: 8000, outputRate: 16000 });
  const down = resamplers.get('speex')!.create({ inputRate: 24000, outputRate: 8000 });
  const vad = vads.get('webrtc')!.create({ sampleRate: 16000 });
  const mixer = mixers.get('default')!.create({ sampleRate: 24000 });
  const caller = sineWave(300, 8000, 1000, 0.3);
  const bot = sineWave(500, 24000, 1000, 0.3);
  const heard: Int16Array[] = [];
  const wire: Int16Array[] = [];
  const events: string[] = [];
  for (let f = 0; f < 50; f++) {
    const packet = pcmu.encode(audioFrame(caller.subarray(f * 160, (f + 1) * 160), 8000, f * 20)).slice();
    const wide = up.process(pcmu.decode(packet, f * 20))!;
    heard.push(wide.samples.slice());
    const event = vad.process(wide);
    if (event) events.push(event);
    const out = down.process(mixer.process(audioFrame(bot.subarray(f * 480, (f + 1) * 480), 24000, f * 20), f * 20))!;
    wire.push(pcmu.decode(pcmu.encode(out).slice(), f * 20).samples.slice());
  }
  const inbound = concatPcm(heard).subarray(1600);
  t.ok(Math.abs(zeroCrossingFrequency(inbound, 16000) - 300) < 5, 'caller tone survives decode and upsampling');
  t.ok(Math.abs(zeroCrossingFrequency(concatPcm(wire).subarray(800), 8000) - 500) < 5, 'bot tone survives mixing, downsampling and µ-law');
  t.ok(dbfs(concatPcm(wire).subarray(800)) > -15, 'at the level it was sent');
  t.same(events, ['speech-start'], 'the VAD hears a loud steady tone as speech');
});

t.test('a missing background file stops the boot, naming the file', async (t) => {
  const config = resolveConfig(
    { server: { port: 0 }, store: { dataDir: 'memory://' }, plugins: { 'stage-mixer': { options: { backgrounds: [{ id: 'office', file: './nope.wav' }] } } } },
    REPO,
    '<test>',
    { env: {} },
  );
  const plan = await planBoot(config);
  await t.rejects(Kernel.start(plan, { logDestination: captureLogs().stream, defaultMetrics: false }), { code: 'VAPI_ERR_MIXER_BACKGROUND', message: /nope\.wav/ });
});
