import t, { type Test } from 'tap';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Encoder } from '@evan/opus';
import { audioFrame, concatPcm, dbfs, isVapiError, rms, samplesPerFrame, sineWave, stageRefs, whiteNoise, zeroCrossingFrequency, type AudioCodec } from '@vapi-cn/sdk-plugin-api';
import { setupPlugin } from '@vapi-cn/sdk-plugin-api/testkit';
import plugin from '../src/index.js';

const codecsWith = async (options: Record<string, unknown> = {}) => (await setupPlugin(plugin, { options })).registry(stageRefs.codecs);
const codecs = await codecsWith();
const create = (sampleRate: number): AudioCodec => codecs.get('opus')!.create({ sampleRate });

/** Encodes `pcm` frame by frame, returning copies of the packets. */
function encodeAll(codec: AudioCodec, pcm: Int16Array): Uint8Array[] {
  const n = samplesPerFrame(codec.sampleRate);
  const packets: Uint8Array[] = [];
  for (let at = 0; at + n <= pcm.length; at += n) packets.push(codec.encode(audioFrame(pcm.subarray(at, at + n), codec.sampleRate, at)).slice());
  return packets;
}

function decodeAll(codec: AudioCodec, packets: Uint8Array[]): Int16Array {
  const n = samplesPerFrame(codec.sampleRate);
  const out = new Int16Array(packets.length * n);
  packets.forEach((packet, i) => out.set(codec.decode(packet, i * 20).samples, i * n));
  return out;
}

/** Frame duration a TOC byte declares (RFC 6716 §3.1, Table 2), in ms. */
function tocFrameMs(toc: number): number {
  const config = toc >> 3;
  if (config < 12) return [10, 20, 40, 60][config % 4]!; // SILK
  if (config < 16) return [10, 20][config % 2]!; // Hybrid
  return [2.5, 5, 10, 20][config % 4]!; // CELT
}

/** Duration of a whole packet: frames per packet from the TOC's code (RFC 6716 §3.2) times frame duration. */
function packetMs(packet: Uint8Array): number {
  const code = packet[0]! & 3;
  const frames = code === 0 ? 1 : code < 3 ? 2 : packet[1]! & 0x3f;
  return frames * tocFrameMs(packet[0]!);
}

function expectBadInput(t: Test, call: () => unknown, code: string): void {
  try {
    call();
    t.fail(`${code} not thrown`);
  } catch (error) {
    t.ok(isVapiError(error), 'a VapiError');
    t.match(error, { code, category: 'bad_input', retryable: false, fix: /./ });
  }
}

t.test('setup registers opus with documented defaults', async (t) => {
  const harness = await setupPlugin(plugin);
  t.same(harness.options, { application: 'audio', complexity: 5, bitrate: 32000, fec: true, packetLossPercent: 0, dtx: false });
  const registry = harness.registry(stageRefs.codecs);
  t.same(registry.keys(), ['opus']);
  t.equal(registry.providerOf('opus'), 'codec-opus');
  t.same(registry.get('opus')!.sampleRates, [8000, 12000, 16000, 24000, 48000]);
  for (const rate of [8000, 12000, 16000, 24000, 48000]) t.equal(create(rate).sampleRate, rate);
});

t.test('bad options: schema rejects them, create() refuses other rates and stereo with a fix', async (t) => {
  await t.rejects(codecsWith({ complexity: 11 }), { code: 'VAPI_ERR_CONFIG_VALUE', category: 'invalid_request' });
  await t.rejects(codecsWith({ application: 'music' }), { code: 'VAPI_ERR_CONFIG_VALUE', category: 'invalid_request' });
  for (const options of [{ sampleRate: 44100 }, { sampleRate: 48000, channels: 2 }]) {
    t.throws(() => codecs.get('opus')!.create(options), { code: 'VAPI_ERR_CODEC_OPTIONS', category: 'invalid_request', fix: /./ });
  }
});

for (const rate of [48000, 16000]) {
  t.test(`a 440 Hz sine at ${rate} Hz keeps its frequency and level`, async (t) => {
    const tone = sineWave(440, rate, 1000, 0.3);
    const packets = encodeAll(create(rate), tone);
    t.equal(packets.length, 50);
    const decoded = decodeAll(create(rate), packets);
    // Skip the codec delay (~6.5 ms) and the encoder's first frames settling.
    const steady = decoded.subarray(samplesPerFrame(rate, 100));
    const frequency = zeroCrossingFrequency(steady, rate);
    t.ok(Math.abs(frequency - 440) < 3, `frequency ${frequency.toFixed(1)} Hz`);
    const level = dbfs(steady) - dbfs(tone);
    t.ok(Math.abs(level) < 2, `level ${level.toFixed(2)} dB`);
  });
}

t.test('decoding the fixture packet stream gives the recorded PCM', async (t) => {
  const fixture = JSON.parse(await readFile(new URL('fixtures/sine-440-48k.json', import.meta.url), 'utf8')) as { sampleRate: number; packets: string[]; decodedPcmSha256: string };
  const packets = fixture.packets.map((p) => new Uint8Array(Buffer.from(p, 'base64')));
  t.equal(packets.length, 10);
  for (const packet of packets) {
    t.equal(tocFrameMs(packet[0]!), 20, 'TOC: 20 ms frames');
    t.equal(packet[0]! & 0x03, 0, 'TOC: one frame per packet');
  }
  const pcm = decodeAll(create(fixture.sampleRate), packets);
  t.equal(pcm.length, 10 * 960);
  const digest = createHash('sha256').update(new Uint8Array(pcm.buffer)).digest('hex');
  t.equal(digest, fixture.decodedPcmSha256, 'decoder output unchanged');
});

t.test('every packet it sends says 20 ms, one frame, in every application mode', async (t) => {
  for (const application of ['voip', 'audio', 'lowdelay']) {
    const codec = (await codecsWith({ application })).get('opus')!.create({ sampleRate: 48000 });
    const tocs = encodeAll(codec, sineWave(300, 48000, 200, 0.3)).map((p) => p[0]!);
    t.ok(tocs.every((toc) => tocFrameMs(toc) === 20 && (toc & 3) === 0), `${application}: ${tocs.map((toc) => toc >> 3).join(',')}`);
    if (application === 'lowdelay') t.ok(tocs.every((toc) => toc >> 3 >= 16), 'lowdelay is CELT only');
  }
});

/** SILK (configs 0-11) or hybrid (12-15) rather than CELT (RFC 6716 §3.1). */
const usesSilk = (packet: Uint8Array) => packet[0]! >> 3 < 16;

t.test('audio mode: CELT while nothing is lost, SILK with FEC once the far end reports over 5%, CELT again as reports clear', async (t) => {
  const codec = create(24000);
  const speechLike = concatPcm([sineWave(180, 24000, 400, 0.3), whiteNoise(24000, 400, 0.05, 3)]);
  const sendHalfSecond = () => encodeAll(codec, speechLike.subarray(0, 12000));
  t.notOk(sendHalfSecond().some(usesSilk), 'no loss reported: CELT only');
  codec.reportLoss!(0.05);
  t.notOk(sendHalfSecond().some(usesSilk), '5% reported: still CELT');
  codec.reportLoss!(64 / 256);
  const lossy = sendHalfSecond();
  t.ok(lossy.slice(2).every(usesSilk), `25% reported: SILK, which carries the FEC (${lossy.map((p) => p[0]! >> 3).join(',')})`);
  codec.reportLoss!(0);
  t.ok(sendHalfSecond().slice(2).every(usesSilk), 'one clean report halves the expected loss to 12%: still SILK');
  codec.reportLoss!(0);
  t.ok(sendHalfSecond().slice(2).every(usesSilk), 'a second one halves it to 6%: still SILK');
  codec.reportLoss!(0.02);
  t.notOk(sendHalfSecond().slice(2).some(usesSilk), 'a third (2% reported, halved to 3%): back to CELT');
  codec.reportLoss!(Number.NaN);
  t.notOk(sendHalfSecond().slice(2).some(usesSilk), 'a NaN report is ignored: still CELT');
  codec.reportLoss!(7);
  t.ok(sendHalfSecond().slice(2).every(usesSilk), 'a report over 1 counts as total loss');
});

t.test('without fec, or in voip mode, loss reports change nothing', async (t) => {
  const tone = sineWave(180, 24000, 500, 0.3);
  const noFec = (await codecsWith({ fec: false })).get('opus')!.create({ sampleRate: 24000 });
  noFec.reportLoss!(0.5);
  t.notOk(encodeAll(noFec, tone).some(usesSilk), 'fec: false stays CELT at 50% reported loss');
  const voip = (await codecsWith({ application: 'voip' })).get('opus')!.create({ sampleRate: 24000 });
  t.ok(encodeAll(voip, tone).slice(2).every(usesSilk), 'voip is SILK with or without loss');
  const assumed = (await codecsWith({ packetLossPercent: 10 })).get('opus')!.create({ sampleRate: 24000 });
  t.ok(encodeAll(assumed, tone).slice(2).every(usesSilk), 'packetLossPercent: 10 starts with FEC before any report');
});

t.test('bitrate and dtx options reach the encoder', async (t) => {
  const speechLike = whiteNoise(16000, 1000, 0.2, 5);
  const meanBytes = async (bitrate: number) => {
    const packets = encodeAll((await codecsWith({ bitrate })).get('opus')!.create({ sampleRate: 16000 }), speechLike);
    return packets.reduce((sum, p) => sum + p.length, 0) / packets.length;
  };
  const low = await meanBytes(12000);
  const high = await meanBytes(48000);
  t.ok(high > 2.5 * low, `12 kb/s: ${low.toFixed(0)} B, 48 kb/s: ${high.toFixed(0)} B per packet`);
  const silent = new Int16Array(16000);
  // DTX is SILK's (voip, or audio under loss): CELT codes silence in 3-byte packets either way.
  const dtxCodec = (await codecsWith({ dtx: true, application: 'voip' })).get('opus')!.create({ sampleRate: 16000 });
  const dtxPackets = encodeAll(dtxCodec, silent);
  t.ok(dtxPackets.slice(-10).every((p) => p.length <= 2), `dtx: silence becomes ${dtxPackets.at(-1)!.length}-byte packets`);
  const plain = encodeAll((await codecsWith({ application: 'voip' })).get('opus')!.create({ sampleRate: 16000 }), silent);
  t.ok(plain.slice(-10).every((p) => p.length > 2), 'without dtx silence is still coded');
});

t.test('packets of other durations decode whole', async (t) => {
  const encoder = new Encoder({ channels: 1, sample_rate: 48000, application: 'voip' });
  const packet = encoder.encode(sineWave(440, 48000, 60, 0.3));
  t.equal(packetMs(packet), 60);
  const codec = create(48000);
  t.equal(codec.decode(packet, 0).samples.length, 2880);
  const twenty = encodeAll(create(48000), sineWave(440, 48000, 20))[0]!;
  t.equal(codec.decode(twenty, 60).samples.length, 960);
});

t.test('malformed packets are bad_input, and the decoder carries on', async (t) => {
  const codec = create(48000);
  const good = encodeAll(create(48000), sineWave(440, 48000, 40, 0.3));
  codec.decode(good[0]!, 0);
  expectBadInput(t, () => codec.decode(Uint8Array.of(0xff, 0xff, 0xff), 20), 'VAPI_ERR_CODEC_PACKET'); // 63 frames: over 120 ms
  expectBadInput(t, () => codec.decode(Uint8Array.of(0x03), 20), 'VAPI_ERR_CODEC_PACKET'); // code 3 without its count byte
  expectBadInput(t, () => codec.decode(new Uint8Array(9000), 20), 'VAPI_ERR_CODEC_PACKET'); // larger than any Opus packet
  expectBadInput(t, () => codec.decode(new Uint8Array(0), 20), 'VAPI_ERR_CODEC_EMPTY');
  t.equal(codec.decode(good[1]!, 20).samples.length, 960, 'still decodes');
  // Random bytes: each packet decodes or is refused as bad_input; nothing else escapes.
  const noise = whiteNoise(8000, 1000, 1, 99);
  let refused = 0;
  for (let i = 0; i < 400; i++) {
    const packet = new Uint8Array(noise.buffer, (i * 37) % 8000, 1 + (i % 300));
    try {
      codec.decode(packet, i * 20);
    } catch (error) {
      if (!isVapiError(error) || error.category !== 'bad_input') throw error;
      refused++;
    }
  }
  t.ok(refused > 0, `${refused} of 400 random packets refused, the rest decoded`);
});

t.test('encode() takes 20 ms frames at its own rate only', async (t) => {
  const codec = create(16000);
  expectBadInput(t, () => codec.encode(audioFrame(new Int16Array(160), 16000)), 'VAPI_ERR_CODEC_FRAME_SIZE');
  expectBadInput(t, () => codec.encode(audioFrame(new Int16Array(0), 16000)), 'VAPI_ERR_CODEC_FRAME_SIZE');
  expectBadInput(t, () => codec.encode(audioFrame(new Int16Array(960), 48000)), 'VAPI_ERR_CODEC_FRAME_RATE');
});

t.test('decode() reuses its frame and samples', async (t) => {
  const packets = encodeAll(create(16000), sineWave(440, 16000, 60, 0.3));
  const codec = create(16000);
  const first = codec.decode(packets[0]!, 0);
  const samples = first.samples;
  const second = codec.decode(packets[1]!, 20);
  t.equal(second, first, 'same frame object');
  t.equal(second.samples, samples, 'same sample view');
  t.equal(second.timestamp, 20);
  t.equal(codec.conceal(40).samples, samples, 'conceal() fills the same view');
});

t.test('conceal() continues the audio with Opus PLC', async (t) => {
  for (const rate of [48000, 16000, 8000]) {
    const codec = create(rate);
    const tone = sineWave(440, rate, 400, 0.3);
    const decoded = decodeAll(codec, encodeAll(create(rate), tone));
    const lastLevel = dbfs(decoded.subarray(-samplesPerFrame(rate)));
    const concealed = codec.conceal(400);
    t.equal(concealed.samples.length, samplesPerFrame(rate), `${rate} Hz: one 20 ms frame`);
    t.equal(concealed.timestamp, 400);
    const level = dbfs(concealed.samples);
    t.ok(level > lastLevel - 6, `${rate} Hz: right after audio PLC is not silent (${level.toFixed(1)} dBFS, last frame ${lastLevel.toFixed(1)})`);
    const frequency = zeroCrossingFrequency(concealed.samples, rate);
    t.ok(Math.abs(frequency - 440) < 60, `${rate} Hz: it continues the tone (${frequency.toFixed(0)} Hz)`);
  }
  t.equal(rms(create(16000).conceal(0).samples), 0, 'before any packet: silence');
});

t.test('close() is idempotent; use after close is refused', async (t) => {
  const codec = create(16000);
  codec.close();
  codec.close();
  t.throws(() => codec.encode(audioFrame(new Int16Array(320), 16000)), { code: 'VAPI_ERR_CODEC_CLOSED' });
  t.throws(() => codec.conceal(0), { code: 'VAPI_ERR_CODEC_CLOSED' });
  // RTCP can still arrive while a call closes: a late loss report is dropped, not an error.
  t.doesNotThrow(() => codec.reportLoss!(0.5), 'reportLoss() after close is ignored');
});
