/**
 * stt-pocketsphinx: offline US English speech recognition with CMU PocketSphinx 0.8 (Debian's
 * pocketsphinx_continuous and pocketsphinx-en-us model), registered as the `pocketsphinx` entry
 * of providerRefs.stt. Exact on short phrases with a JSGF grammar; poor on open speech with the
 * default language model. Each stream is a decoder process reading raw PCM on stdin.
 */
import { definePlugin, providerRefs, Type } from '@vapi-cn/sdk-plugin-api';
import { DEBIAN_MODEL_DIR, releaseDecoderConfig, resolveDecoderConfig, type DecoderConfig } from './decoder-config.js';
import { probeDecoder } from './decoder.js';
import { PocketsphinxStt } from './pocketsphinx-stt.js';

export { APT_PACKAGES, DEBIAN_MODEL_DIR, releaseDecoderConfig, resolveDecoderConfig, type DecoderConfig, type SearchOptions } from './decoder-config.js';
export { Decoder, probeDecoder, type DecoderExit } from './decoder.js';
export { HypothesisParser, type Hypothesis } from './hypothesis-parser.js';
export { PocketsphinxStream, SAMPLE_RATE } from './pocketsphinx-stream.js';
export { PocketsphinxStt } from './pocketsphinx-stt.js';

const Options = Type.Object(
  {
    binary: Type.String({
      minLength: 1,
      default: 'pocketsphinx_continuous',
      description: 'The decoder: a name looked up on PATH, or a path (relative to the config file)',
    }),
    hmm: Type.String({ minLength: 1, default: `${DEBIAN_MODEL_DIR}/en-us`, description: 'Acoustic model directory' }),
    dict: Type.String({ minLength: 1, default: `${DEBIAN_MODEL_DIR}/cmudict-en-us.dict`, description: 'Pronunciation dictionary' }),
    grammar: Type.Optional(
      Type.String({ minLength: 1, description: 'JSGF grammar: its text (starting with #JSGF) or a file path relative to the config file' }),
    ),
    languageModel: Type.Optional(
      Type.String({ minLength: 1, description: `n-gram language model file; ${DEBIAN_MODEL_DIR}/en-us.lm.bin when no grammar or keyphrase is set` }),
    ),
    keyphrase: Type.Optional(Type.String({ minLength: 1, description: 'Spot only this phrase (dictionary words), e.g. a barge-in word' })),
    // 1e-40 by measurement: it spotted 'agent' in a synthesized sentence that 1e-30 and above
    // missed, with no false alarm on six other phrases down to 1e-50.
    keyphraseThreshold: Type.Number({
      exclusiveMinimum: 0,
      maximum: 1,
      default: 1e-40,
      description: 'Keyphrase detection threshold: smaller spots more, and more false alarms; tune it per phrase',
    }),
    warm: Type.Boolean({
      default: true,
      description: 'Keep one decoder loaded and waiting, so a stream skips the model load (0.1-0.3 s with a grammar, 0.4-3 s with the language model)',
    }),
  },
  { additionalProperties: false },
);

export default definePlugin({
  id: 'stt-pocketsphinx',
  version: '1.0.0',
  apiVersion: '^1.0.0',
  description: 'Offline US English STT with PocketSphinx (Debian pocketsphinx), grammar, language model or keyphrase',
  configSchema: Options,
  provides: [providerRefs.stt],
  // The probe loads the model once: up to 3 s for the default language model from a cold disk cache.
  timeouts: { setupMs: 30_000 },
  async setup(ctx, options): Promise<{ config: DecoderConfig; stt: PocketsphinxStt }> {
    const config = await resolveDecoderConfig(options, ctx.baseDir);
    try {
      await probeDecoder(config);
    } catch (error) {
      await releaseDecoderConfig(config);
      throw error;
    }
    const stt = new PocketsphinxStt(config, options.warm);
    ctx.provide(providerRefs.stt, 'pocketsphinx', stt);
    ctx.log.debug({ binary: config.binary, search: config.search, warm: options.warm }, 'pocketsphinx STT ready');
    return { config, stt };
  },
  start(_ctx, { stt }) {
    stt.start();
  },
  async stop(_ctx, { config, stt }) {
    await stt.stop();
    await releaseDecoderConfig(config);
  },
});
