/** One recognition stream: caller audio into a decoder process, final transcripts out. */
import { badAudioError, VapiError, type AudioFrame, type SttStream, type TranscriptFrame } from '@vapi-cn/sdk-plugin-api';
import type { Decoder, DecoderExit } from './decoder.js';

/** The rate of the en-us acoustic model. */
export const SAMPLE_RATE = 16000;

/**
 * Yields one final transcript per utterance (the decoder's VAD ends one after 0.5 s of silence;
 * `end()` ends the last). Iterate it from one consumer; leaving the loop early closes the stream.
 */
export class PocketsphinxStream implements SttStream {
  private readonly results: TranscriptFrame[] = [];
  private failure?: VapiError;
  /** The decoder has exited and its output is read, or the stream was closed. */
  private finished = false;
  private closing?: Promise<void>;
  private wake?: () => void;
  private readonly abort = () => void this.close();

  constructor(private readonly decoder: Decoder, private readonly signal?: AbortSignal) {
    decoder.onHypothesis = ({ text, startMs, endMs, confidence }) => {
      this.results.push({
        kind: 'transcript',
        text,
        isFinal: true,
        language: 'en-US',
        ...(startMs === undefined ? {} : { startMs, endMs }),
        ...(confidence === undefined ? {} : { confidence }),
      });
      this.notify();
    };
    void decoder.exited.then((exit) => this.onExit(exit));
    if (signal?.aborted) void this.close();
    else signal?.addEventListener('abort', this.abort);
  }

  /** The decoder's process id, while it runs. */
  get pid(): number | undefined {
    return this.decoder.pid;
  }

  write(frame: AudioFrame): void {
    if (this.closing || this.failure) return;
    if (frame.sampleRate !== SAMPLE_RATE) {
      this.failure = badAudioError(
        'VAPI_ERR_STT_SAMPLE_RATE',
        `pocketsphinx takes ${SAMPLE_RATE} Hz audio, got a frame at ${frame.sampleRate} Hz`,
        `resample to ${SAMPLE_RATE} Hz before writing (capabilities.sampleRates)`,
      );
      void this.decoder.kill();
      this.notify();
      return;
    }
    this.decoder.write(frame.samples);
  }

  end(): void {
    this.decoder.end();
  }

  /** Kills the decoder and completes the iteration at once (queued transcripts are dropped). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.signal?.removeEventListener('abort', this.abort);
      this.finished = true;
      this.results.length = 0;
      this.notify();
      await this.decoder.kill();
    })();
    return this.closing;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<TranscriptFrame> {
    try {
      for (;;) {
        const result = this.results.shift();
        if (result) yield result;
        else if (this.failure && !this.closing) throw this.failure;
        else if (this.finished) return;
        else await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      // Done iterating means the decoder is gone: wait for a close (or make one, after a break).
      await (this.closing ?? (this.finished ? undefined : this.close()));
    }
  }

  private onExit(exit: DecoderExit): void {
    // A kill of our own (close, bad input) is not the decoder failing.
    if (exit.code !== 0 && !this.closing && !this.failure) {
      this.failure = new VapiError(`pocketsphinx exited with ${exit.signal ?? `code ${exit.code}`}${exit.errors.length ? `: ${exit.errors.join('; ')}` : ''}`, {
        code: 'VAPI_ERR_STT_ENGINE',
        category: 'server',
        details: { code: exit.code, signal: exit.signal, errors: exit.errors },
      });
    }
    this.finished = true;
    this.notify();
  }

  private notify(): void {
    this.wake?.();
    this.wake = undefined;
  }
}
