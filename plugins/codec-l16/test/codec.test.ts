import t from 'tap';
import { audioFrame, rms, SAMPLE_RATES, sineWave, stageRefs, whiteNoise } from '@vapi-cn/sdk-plugin-api';
import { setupPlugin } from '@vapi-cn/sdk-plugin-api/testkit';
import plugin from '../src/index.js';

const harness = await setupPlugin(plugin);
const codecs = harness.registry(stageRefs.codecs);
const factory = codecs.get('l16')!;

t.test('setup registers l16 at every server sample rate', async (t) => {
  t.same(codecs.keys(), ['l16']);
  t.equal(codecs.providerOf('l16'), 'codec-l16');
  t.same(factory.sampleRates, SAMPLE_RATES);
  for (const sampleRate of SAMPLE_RATES) t.equal(factory.create({ sampleRate }).sampleRate, sampleRate);
});

t.test('create() refuses other rates and stereo with a fix', async (t) => {
  for (const options of [{ sampleRate: 11025 }, { sampleRate: 16000, channels: 2 }]) {
    t.throws(() => factory.create(options), { code: 'VAPI_ERR_CODEC_OPTIONS', category: 'invalid_request', fix: /./ });
  }
});

t.test('network byte order: reference values', async (t) => {
  const codec = factory.create({ sampleRate: 8000 });
  const samples = Int16Array.from([0, 1, -1, -2, 0x1234, -32768, 32767, 256]);
  const bytes = [0x00, 0x00, 0x00, 0x01, 0xff, 0xff, 0xff, 0xfe, 0x12, 0x34, 0x80, 0x00, 0x7f, 0xff, 0x01, 0x00];
  t.same([...codec.encode(audioFrame(samples, 8000))], bytes);
  t.same([...codec.decode(Uint8Array.from(bytes), 0).samples], [...samples]);
});

t.test('round trip is lossless at every rate, from unaligned payloads too', async (t) => {
  for (const sampleRate of SAMPLE_RATES) {
    const codec = factory.create({ sampleRate });
    const pcm = whiteNoise(sampleRate, 20, 0.9, sampleRate);
    const payload = codec.encode(audioFrame(pcm, sampleRate));
    t.equal(payload.length, pcm.length * 2);
    const unaligned = new Uint8Array(payload.length + 1).subarray(1);
    unaligned.set(payload);
    const frame = codec.decode(unaligned, 40);
    t.same(frame.samples, pcm, `${sampleRate} Hz`);
    t.equal(frame.sampleRate, sampleRate);
    t.equal(frame.timestamp, 40);
  }
});

t.test('frames of a steady size reuse their buffers', async (t) => {
  const codec = factory.create({ sampleRate: 16000 });
  const frame = audioFrame(sineWave(300, 16000, 20), 16000);
  const payload = codec.encode(frame);
  t.equal(codec.encode(frame), payload);
  const decoded = codec.decode(payload, 0);
  const again = codec.decode(payload, 20);
  t.equal(again, decoded, 'same frame object');
  t.equal(again.samples, decoded.samples, 'same sample view');
});

t.test('odd, empty and wrong-rate input is bad_input', async (t) => {
  const codec = factory.create({ sampleRate: 16000 });
  t.throws(() => codec.decode(new Uint8Array(641), 0), { code: 'VAPI_ERR_CODEC_ODD_LENGTH', category: 'bad_input', retryable: false, fix: /./ });
  t.throws(() => codec.decode(new Uint8Array(0), 0), { code: 'VAPI_ERR_CODEC_EMPTY', category: 'bad_input' });
  t.throws(() => codec.encode(audioFrame(new Int16Array(0), 16000)), { code: 'VAPI_ERR_CODEC_EMPTY', category: 'bad_input' });
  t.throws(() => codec.encode(audioFrame(new Int16Array(160), 8000)), { code: 'VAPI_ERR_CODEC_FRAME_RATE', category: 'bad_input' });
});

t.test('conceal() fades the last frame out over 60 ms, then silence', async (t) => {
  const codec = factory.create({ sampleRate: 16000 });
  const tone = audioFrame(sineWave(400, 16000, 20, 0.5), 16000);
  const level = rms(codec.decode(codec.encode(tone), 0).samples);
  const levels = [1, 2, 3, 4].map((i) => rms(codec.conceal(i * 20).samples));
  t.ok(levels[0]! > 0.6 * level && levels[0]! > levels[1]! && levels[1]! > levels[2]!, `fading: ${levels.map((l) => l.toFixed(0)).join(', ')}`);
  t.equal(levels[3], 0);
  t.equal(factory.create({ sampleRate: 24000 }).conceal(0).samples.length, 480, 'before any packet: 20 ms of silence');
});
