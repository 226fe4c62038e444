import t from 'tap';
import { audioFrame, isVapiError, sineWave, snrDb, stageRefs, rms, type AudioCodec } from '@vapi-cn/sdk-plugin-api';
import { setupPlugin } from '@vapi-cn/sdk-plugin-api/testkit';
import plugin from '../src/index.js';

const harness = await setupPlugin(plugin);
const codecs = harness.registry(stageRefs.codecs);
const create = (name: string): AudioCodec => codecs.get(name)!.create({ sampleRate: 8000 });

t.test('setup registers pcmu and pcma at 8 kHz', async (t) => {
  t.same(codecs.keys().sort(), ['pcma', 'pcmu']);
  for (const name of ['pcmu', 'pcma']) {
    t.equal(codecs.providerOf(name), 'codec-g711');
    t.same(codecs.get(name)!.sampleRates, [8000]);
    const codec = create(name);
    t.equal(codec.name, name);
    t.equal(codec.sampleRate, 8000);
  }
});

t.test('create() refuses other rates and stereo with a fix', async (t) => {
  for (const options of [{ sampleRate: 16000 }, { sampleRate: 8000, channels: 2 }]) {
    t.throws(() => codecs.get('pcmu')!.create(options), { code: 'VAPI_ERR_CODEC_OPTIONS', category: 'invalid_request', fix: /./ });
  }
});

t.test('a sine survives encode/decode with SNR > 35 dB', async (t) => {
  const tone = sineWave(440, 8000, 1000, 0.5);
  for (const name of ['pcmu', 'pcma']) {
    const codec = create(name);
    const back = new Int16Array(tone.length);
    for (let at = 0; at < tone.length; at += 160) {
      const payload = codec.encode(audioFrame(tone.subarray(at, at + 160), 8000, at / 8));
      t.equal(payload.length, 160);
      back.set(codec.decode(payload, at / 8).samples, at);
    }
    const snr = snrDb(tone, back);
    t.ok(snr > 35, `${name} SNR ${snr.toFixed(1)} dB`);
  }
});

t.test('frames of a steady size reuse their buffers', async (t) => {
  const codec = create('pcmu');
  const frame = audioFrame(sineWave(300, 8000, 20), 8000);
  const first = codec.encode(frame);
  t.equal(codec.encode(frame), first, 'same payload view');
  const decoded = codec.decode(first, 0);
  const again = codec.decode(first, 20);
  t.equal(again, decoded, 'same frame object');
  t.equal(again.samples, decoded.samples, 'same sample view');
  t.equal(again.timestamp, 20);
  t.equal(codec.decode(new Uint8Array(240), 40).samples.length, 240, 'a 30 ms packet decodes whole');
});

t.test('empty and wrong-rate input is bad_input', async (t) => {
  const codec = create('pcma');
  const checks: Array<[() => unknown, string]> = [
    [() => codec.encode(audioFrame(new Int16Array(0), 8000)), 'VAPI_ERR_CODEC_EMPTY'],
    [() => codec.encode(audioFrame(new Int16Array(320), 16000)), 'VAPI_ERR_CODEC_FRAME_RATE'],
    [() => codec.decode(new Uint8Array(0), 0), 'VAPI_ERR_CODEC_EMPTY'],
  ];
  for (const [call, code] of checks) {
    try {
      call();
      t.fail(`${code} not thrown`);
    } catch (error) {
      t.ok(isVapiError(error), 'a VapiError');
      t.match(error, { code, category: 'bad_input', retryable: false, fix: /./ });
    }
  }
});

t.test('conceal() fades the last frame out over 60 ms, then silence', async (t) => {
  const codec = create('pcmu');
  const tone = audioFrame(sineWave(400, 8000, 20, 0.5), 8000);
  const decoded = codec.decode(codec.encode(tone), 0).samples.slice();
  const levels: number[] = [];
  for (let i = 0; i < 5; i++) {
    const frame = codec.conceal(20 + i * 20);
    t.equal(frame.samples.length, 160);
    t.equal(frame.timestamp, 20 + i * 20);
    if (i === 0) {
      const faded = decoded.map((v, n) => Math.round(v * (1 - n / 480)));
      t.same(frame.samples, faded, 'the last frame under a linear fade that ends at 480 samples (60 ms)');
    }
    levels.push(rms(frame.samples));
  }
  t.ok(levels[0]! > 0.6 * rms(decoded), `first concealed frame is near the last level (${levels[0]!.toFixed(0)})`);
  t.ok(levels[0]! > levels[1]! && levels[1]! > levels[2]!, `fading: ${levels.map((l) => l.toFixed(0)).join(', ')}`);
  t.equal(levels[3], 0, 'silent after 60 ms');
  t.equal(levels[4], 0);
  codec.decode(codec.encode(tone), 120);
  t.ok(rms(codec.conceal(140).samples) > 0.6 * rms(decoded), 'a new packet restarts the fade');
});

t.test('conceal() before any packet is 20 ms of silence', async (t) => {
  const frame = create('pcmu').conceal(0);
  t.equal(frame.samples.length, 160);
  t.equal(rms(frame.samples), 0);
});
