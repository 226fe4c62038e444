/** The `pocketsphinx` SttProvider: a decoder process per stream, one kept loaded ahead when warm. */
import { badAudioError, VapiError, type SttCapabilities, type SttProvider, type SttStreamOptions } from '@vapi-cn/sdk-plugin-api';
import type { DecoderConfig } from './decoder-config.js';
import { Decoder } from './decoder.js';
import { PocketsphinxStream, SAMPLE_RATE } from './pocketsphinx-stream.js';

export class PocketsphinxStt implements SttProvider {
  readonly name = 'pocketsphinx';
  readonly capabilities: SttCapabilities = { sampleRates: [SAMPLE_RATE], languages: ['en-US'], interimResults: false };
  /** A decoder that has loaded (or is loading) the model and waits for a stream's audio. */
  private spare?: Promise<Decoder>;
  private readonly live = new Set<PocketsphinxStream>();
  private stopped = false;

  /** `warm`: keep a spare decoder, so a stream does not wait for the model to load. */
  constructor(private readonly config: DecoderConfig, private readonly warm: boolean) {}

  /**
   * Resolves once the decoder process runs (audio written before it has loaded the model waits
   * in the pipe). `options.hints` and `options.model` are not used: the search is the plugin's.
   */
  async stream(options: SttStreamOptions): Promise<PocketsphinxStream> {
    if (options.sampleRate !== SAMPLE_RATE) {
      throw badAudioError('VAPI_ERR_STT_SAMPLE_RATE', `pocketsphinx takes ${SAMPLE_RATE} Hz audio, not ${options.sampleRate} Hz`, `open the stream at ${SAMPLE_RATE} Hz (capabilities.sampleRates)`);
    }
    if (options.language !== undefined && !/^en(-us)?$/i.test(options.language)) {
      throw new VapiError(`pocketsphinx here recognises US English only, not '${options.language}'`, {
        code: 'VAPI_ERR_STT_LANGUAGE',
        category: 'invalid_request',
        fix: 'use language en-US, or another STT provider for this language',
      });
    }
    if (this.stopped) throw stoppedError();
    const spare = this.spare;
    this.spare = undefined;
    this.refill();
    const decoder = (await running(spare)) ?? (await Decoder.start(this.config));
    if (this.stopped) {
      await decoder.kill();
      throw stoppedError();
    }
    decoder.setRef(true);
    const stream = new PocketsphinxStream(decoder, options.signal);
    this.live.add(stream);
    void decoder.exited.then(() => this.live.delete(stream));
    return stream;
  }

  /** Loads the spare decoder (when warm) ahead of the first stream. */
  start(): void {
    this.refill();
  }

  /** Kills the spare and every open stream's decoder. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    const spare = this.spare;
    this.spare = undefined;
    await Promise.all([running(spare).then((decoder) => decoder?.kill()), ...[...this.live].map((stream) => stream.close())]);
  }

  private refill(): void {
    if (!this.warm || this.stopped || this.spare) return;
    this.spare = Decoder.start(this.config).then((decoder) => {
      decoder.setRef(false);
      return decoder;
    });
    // A start failure surfaces when a stream takes it (and a fresh decoder fails the same way).
    this.spare.catch(() => {});
  }
}

/** The spare decoder if it started and still runs. */
async function running(spare: Promise<Decoder> | undefined): Promise<Decoder | undefined> {
  const decoder = await spare?.catch(() => undefined);
  return decoder?.alive ? decoder : undefined;
}

function stoppedError(): VapiError {
  return new VapiError('the pocketsphinx STT plugin is stopped', { code: 'VAPI_ERR_STT_ENGINE', category: 'server' });
}
