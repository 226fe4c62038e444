import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import {
  audioFrame,
  dbfs,
  pcm16ToBytes,
  samplesPerFrame,
  sineWave,
  stageRefs,
  writeWav,
  type AudioFrame,
  type AudioStage,
  type MixerFactory,
  type ResamplerFactory,
} from '@vapi-cn/sdk-plugin-api';
import { setupPlugin } from '@vapi-cn/sdk-plugin-api/testkit';
import plugin, { linearResample } from '../src/index.js';

/** A temp dir holding a 100 ms, 400 Hz tone (whole periods, -20 dBFS) as WAV at 16 kHz and raw at 24 kHz. */
async function fixtures(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'stage-mixer-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'tone.wav'), writeWav(sineWave(400, 16000, 100, 0.1 * Math.SQRT2), 16000));
  await writeFile(path.join(dir, 'tone.raw'), pcm16ToBytes(sineWave(400, 24000, 100, 0.1 * Math.SQRT2)));
  return dir;
}

async function factory(baseDir: string, backgrounds: unknown[], deps: Record<string, unknown> = {}) {
  const h = await setupPlugin(plugin, { baseDir, options: { backgrounds }, deps });
  return { h, mixers: h.registry(stageRefs.mixers), factory: h.registry(stageRefs.mixers).get('default')! };
}

/** Output of `frames` frames of background only, concatenated. */
function render(factory: MixerFactory, rate: number, frames: number): Int16Array {
  const mixer = factory.create({ sampleRate: rate });
  const n = samplesPerFrame(rate);
  const out = new Int16Array(frames * n);
  for (let f = 0; f < frames; f++) out.set(mixer.process(null, f * 20).samples, f * n);
  return out;
}

/** Largest sample-to-sample step: a click at a loop point shows up as a step above the tone's own. */
function maxStep(samples: Int16Array): number {
  let max = 0;
  for (let i = 1; i < samples.length; i++) max = Math.max(max, Math.abs(samples[i]! - samples[i - 1]!));
  return max;
}

t.test('registers the default mixer factory with the configured backgrounds, at their gain', async (t) => {
  const dir = await fixtures();
  const { h, mixers, factory: f } = await factory(dir, [{ id: 'tone', file: 'tone.wav' }]);
  t.same(mixers.keys(), ['default']);
  t.equal(mixers.providerOf('default'), 'stage-mixer');
  t.equal(f.name, 'default');
  t.match(h.options, { voiceGainDb: 0, duckDb: 12, duckAttackMs: 20, duckReleaseMs: 300, backgrounds: [{ id: 'tone', gainDb: -18, loop: true }] });
  t.match(h.logs, [{ level: 'info', msg: 'mixer ready' }]);
  const mixer = f.create({ sampleRate: 24000 });
  t.same(mixer.sourceIds, ['tone']);
  t.equal(mixer.sampleRate, 24000);
  const out = render(f, 24000, 25);
  t.ok(Math.abs(dbfs(out) + 38) < 0.2, `-20 dBFS file at -18 dB: ${dbfs(out)} dBFS`);
  t.throws(() => f.create({ sampleRate: 11025 }), { code: 'VAPI_ERR_AUDIO_SAMPLE_RATE' });
});

t.test('a 16 kHz WAV loop converted to 24 kHz (linear) and a raw file loop both join without a click', async (t) => {
  const dir = await fixtures();
  const { factory: f } = await factory(dir, [{ id: 'tone', file: 'tone.wav', gainDb: 0 }]);
  const own = (2 * Math.PI * 400 * 0.1 * Math.SQRT2 * 32767) / 24000;
  const wav = render(f, 24000, 30);
  t.ok(maxStep(wav) <= own * 1.02 + 1, `wav: max step ${maxStep(wav)} vs the tone's ${own.toFixed(0)}`);
  const { factory: raw } = await factory(dir, [{ id: 'tone', file: 'tone.raw', sampleRate: 24000, gainDb: 0 }]);
  const rawOut = render(raw, 24000, 30);
  t.ok(maxStep(rawOut) <= own + 1, `raw: max step ${maxStep(rawOut)}`);
  t.same([...rawOut.subarray(0, 7200)], [...sineWave(400, 24000, 300, 0.1 * Math.SQRT2)], 'raw at its own rate is played as is');
});

t.test('a speex resampler, when present, converts each background once per rate', async (t) => {
  const dir = await fixtures();
  const created: string[] = [];
  const speex: ResamplerFactory = {
    name: 'speex',
    sampleRates: [8000, 16000, 24000, 48000],
    create(options) {
      created.push(`${options.inputRate}->${options.outputRate}`);
      return new DelayedLinearStage(options.inputRate, options.outputRate);
    },
  };
  const { factory: f } = await factory(dir, [{ id: 'tone', file: 'tone.wav', gainDb: 0 }], { resamplers: { speex } });
  render(f, 24000, 1);
  render(f, 24000, 1);
  render(f, 48000, 1);
  t.same(created, ['16000->24000', '16000->48000'], 'once per rate, cached');
  const viaStage = f.create({ sampleRate: 24000 });
  const expected = linearResample(sineWave(400, 16000, 100, 0.1 * Math.SQRT2), 16000, 24000, true);
  let worst = 0;
  for (let frame = 0; frame < 10; frame++) {
    const out = viaStage.process(null, frame * 20).samples;
    for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i]! - expected[(frame * 480 + i) % expected.length]!));
  }
  t.ok(worst <= 1, `warm-up and delay are skipped, the loop is aligned (worst ${worst})`);
});

t.test('a failing resampler falls back to linear interpolation, with a warning', async (t) => {
  const dir = await fixtures();
  const broken: ResamplerFactory = {
    name: 'speex',
    sampleRates: [16000, 24000],
    create() {
      throw new Error('wasm out of memory');
    },
  };
  const { h, factory: f } = await factory(dir, [{ id: 'tone', file: 'tone.wav' }], { resamplers: { speex: broken } });
  t.same(f.create({ sampleRate: 24000 }).sourceIds, ['tone']);
  t.match(h.logs, [{ level: 'info' }, { level: 'warn', obj: { background: 'tone', rate: 24000 } }]);
});

t.test('bad background files stop setup with VAPI_ERR_MIXER_BACKGROUND naming the file and the fix', async (t) => {
  const dir = await fixtures();
  await writeFile(path.join(dir, 'corrupt.wav'), new TextEncoder().encode('RIFF\x10\x00\x00\x00WAVEjunkjunkjunk'));
  await writeFile(path.join(dir, 'empty.wav'), writeWav(new Int16Array(0), 16000));
  await writeFile(path.join(dir, 'odd.raw'), new Uint8Array(3));
  await writeFile(path.join(dir, 'song.mp3'), new Uint8Array(16));
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['missing', { file: 'nope.wav' }, /nope\.wav.*file not found/],
    ['corrupt', { file: 'corrupt.wav' }, /corrupt\.wav.*not a usable WAV file/],
    ['empty', { file: 'empty.wav' }, /empty\.wav.*no audio/],
    ['raw without rate', { file: 'tone.raw' }, /tone\.raw.*sample rate/],
    ['odd raw', { file: 'odd.raw', sampleRate: 8000 }, /odd\.raw.*odd number of bytes/],
    ['mp3', { file: 'song.mp3' }, /song\.mp3.*unsupported file type '\.mp3'/],
    ['a directory', { file: '.', sampleRate: 8000 }, /cannot be read/],
  ];
  for (const [name, background, message] of cases) {
    const error = await factory(dir, [{ id: 'bg', ...background }]).then(
      () => undefined,
      (e: unknown) => e as { code: string; category: string; message: string; fix?: string; details?: { file?: string } },
    );
    t.match(error, { code: 'VAPI_ERR_MIXER_BACKGROUND', category: 'invalid_request', message }, name);
    t.ok(error?.fix, `${name}: says how to fix it (${error?.fix})`);
    t.ok(error?.details?.file?.startsWith(dir), `${name}: the absolute path is in details`);
  }
  await t.rejects(factory(dir, [{ id: 'a', file: 'tone.wav' }, { id: 'a', file: 'tone.wav' }]), { code: 'VAPI_ERR_MIXER_BACKGROUND', message: /two.*'a'/ });
  await t.rejects(factory(dir, [{ id: 'a' }]), { code: 'VAPI_ERR_CONFIG_VALUE' }, 'file is required');
});

t.test('create() options override the plugin defaults', async (t) => {
  const dir = await fixtures();
  const { factory: f } = await factory(dir, [{ id: 'tone', file: 'tone.raw', sampleRate: 24000, gainDb: 0 }]);
  const mixer = f.create({ sampleRate: 24000, duckDb: 0, voiceGainDb: -6 });
  const voice = sineWave(300, 24000, 20, 0.2);
  const out = mixer.process(audioFrame(voice, 24000), 0).samples;
  const expected = sineWave(400, 24000, 20, 0.1 * Math.SQRT2);
  for (let i = 0; i < 480; i += 60) t.ok(Math.abs(out[i]! - (expected[i]! + voice[i]! * 0.5012)) <= 1, `sample ${i}: no ducking, voice at -6 dB`);
});

/**
 * A stand-in for the speex stage: linear interpolation, with a real resampler's awkward habits:
 * null for its first frame (warm-up), and output one frame behind its input.
 */
class DelayedLinearStage implements AudioStage {
  readonly name = 'speex';
  private previous: Int16Array | undefined;
  private readonly out: AudioFrame;

  constructor(private readonly inputRate: number, private readonly outputRate: number) {
    this.out = audioFrame(new Int16Array(samplesPerFrame(outputRate)), outputRate);
  }

  process(frame: AudioFrame): AudioFrame | null {
    const previous = this.previous;
    this.previous = frame.samples.slice();
    if (!previous) return null;
    const step = this.inputRate / this.outputRate;
    for (let i = 0; i < this.out.samples.length; i++) {
      const x = i * step;
      const k = Math.floor(x);
      const b = k + 1 < previous.length ? previous[k + 1]! : frame.samples[0]!;
      this.out.samples[i] = Math.round(previous[k]! + (b - previous[k]!) * (x - k));
    }
    return this.out;
  }

  reset(): void {}
  close(): void {}
}
