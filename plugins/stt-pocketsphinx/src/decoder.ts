/**
 * One pocketsphinx_continuous process: raw 16 kHz PCM16 in, one hypothesis per utterance out on
 * stdout, its log on stderr (the tail is kept for error messages). It segments the audio into
 * utterances with its own VAD (an utterance ends after 0.5 s of silence) and prints the last one
 * when its input ends.
 *
 * The audio goes through a named FIFO, not stdin: pocketsphinx 0.8 fopen()s its `-infile`, and
 * Node's stdio pipes are socket pairs, which `/dev/stdin` cannot open. The FIFO is opened for
 * writing without blocking, retried until it succeeds, which is when the decoder (its only
 * reader) has opened it after loading the model; so closing it is always a clean end of input,
 * and audio written before that waits in memory.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { constants, openSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { VapiError } from '@vapi-cn/sdk-plugin-api';
import type { DecoderConfig } from './decoder-config.js';
import { HypothesisParser, type Hypothesis } from './hypothesis-parser.js';

/** How a decoder ended; `errors` are the ERROR/FATAL lines at the end of its log. */
export interface DecoderExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  errors: string[];
}

/** Enough log to hold the errors pocketsphinx prints before it exits. */
const LOG_TAIL_CHARS = 8192;
/** How often to retry opening the FIFO while the decoder loads its model. */
const OPEN_RETRY_MS = 5;
/** Loading the default language model takes up to 3 s (cold disk cache); a probe this slow is hung. */
const PROBE_TIMEOUT_MS = 20_000;

let fifoCount = 0;

function engineError(message: string, cause?: unknown): VapiError {
  return new VapiError(message, { code: 'VAPI_ERR_STT_ENGINE', category: 'server', ...(cause === undefined ? {} : { cause }) });
}

export class Decoder {
  /** Resolves once the process has exited and its output is read. */
  readonly exited: Promise<DecoderExit>;
  /** Receives each utterance; set it before writing audio. */
  onHypothesis: (hypothesis: Hypothesis) => void = () => {};
  private readonly child: ChildProcess;
  private log = '';
  private running = true;
  private input?: net.Socket;
  /** Audio written before the decoder opened its input. */
  private pending: Buffer[] = [];
  private ended = false;
  private openTimer?: NodeJS.Timeout;
  private referenced = true;

  private constructor(binary: string, args: string[], private readonly fifo: string) {
    this.child = spawn(binary, [...args, '-infile', fifo], { stdio: ['ignore', 'pipe', 'pipe'] });
    const parser = new HypothesisParser();
    const { stdout, stderr } = this.child;
    stdout!.setEncoding('utf8');
    stdout!.on('data', (text: string) => parser.push(text).forEach((h) => this.onHypothesis(h)));
    stdout!.on('end', () => parser.end().forEach((h) => this.onHypothesis(h)));
    stderr!.setEncoding('utf8');
    stderr!.on('data', (text: string) => {
      this.log = (this.log + text).slice(-LOG_TAIL_CHARS);
    });
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
        this.running = false;
        const errors = this.log.split('\n').filter((line) => /^(ERROR|FATAL)/.test(line)).slice(-5);
        void this.stopInput().then(() => resolve({ code, signal, errors }));
      });
    });
    this.openInput();
  }

  /**
   * Creates a FIFO in `config.workDir` and starts a decoder reading it. Resolves once the process
   * runs; rejects with `VAPI_ERR_STT_ENGINE` when it cannot start.
   */
  static async start(config: DecoderConfig): Promise<Decoder> {
    const fifo = path.join(config.workDir, `input-${++fifoCount}.pcm`);
    try {
      await promisify(execFile)('mkfifo', ['-m', '600', fifo]);
    } catch (error) {
      throw engineError(`could not create a FIFO for pocketsphinx's audio: ${error instanceof Error ? error.message : String(error)}`, error);
    }
    const decoder = new Decoder(config.binary, config.args, fifo);
    await new Promise<void>((resolve, reject) => {
      decoder.child.once('spawn', resolve);
      decoder.child.once('error', (error) => reject(engineError(`could not start ${config.binary}: ${error.message}`, error)));
    });
    return decoder;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True until the process exits. */
  get alive(): boolean {
    return this.running;
  }

  /** Queues audio (copied) without blocking; ignored after end(). */
  write(samples: Int16Array): void {
    if (this.ended || !this.running) return;
    const bytes = Buffer.from(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
    if (this.input) this.input.write(bytes);
    else this.pending.push(bytes);
  }

  /** No more audio: the decoder prints the last utterance and exits. */
  end(): void {
    this.ended = true;
    this.input?.end();
  }

  /** Kills the process (if it still runs) and waits until it is reaped. */
  kill(): Promise<DecoderExit> {
    if (this.running) {
      // Held open until reaped, also as an unreferenced spare: a caller awaits this.
      this.setRef(true);
      this.child.kill('SIGKILL');
    }
    return this.exited;
  }

  /** Whether the process and its pipes keep Node's event loop alive (not while it idles as a spare). */
  setRef(ref: boolean): void {
    this.referenced = ref;
    // The stdio streams are sockets (Node types them as Readable).
    const stdio = [this.child.stdout, this.child.stderr] as Array<net.Socket | null>;
    for (const handle of [this.child, ...stdio, this.input, this.openTimer]) {
      if (ref) handle?.ref();
      else handle?.unref();
    }
  }

  private openInput(): void {
    let fd: number;
    try {
      fd = openSync(this.fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (error) {
      // ENXIO: no reader yet, the decoder is still loading its model.
      if ((error as NodeJS.ErrnoException).code === 'ENXIO' && this.running) {
        this.openTimer = setTimeout(() => this.openInput(), OPEN_RETRY_MS);
        if (!this.referenced) this.openTimer.unref();
        return;
      }
      void this.kill();
      return;
    }
    // Both ends are open: the name is no longer needed.
    void rm(this.fifo, { force: true });
    const input = new net.Socket({ fd, readable: false, writable: true });
    if (!this.referenced) input.unref();
    // A decoder that dies mid-write makes the FIFO fail with EPIPE; its exit reports the failure.
    input.on('error', () => {});
    this.input = input;
    for (const bytes of this.pending) input.write(bytes);
    this.pending = [];
    if (this.ended) input.end();
  }

  /** Stops retrying, closes the FIFO and removes its name (if the decoder never opened it). */
  private async stopInput(): Promise<void> {
    clearTimeout(this.openTimer);
    this.input?.destroy();
    this.pending = [];
    await rm(this.fifo, { force: true });
  }
}

/**
 * Starts the decoder on no audio and checks that it loads the model and the grammar, so that a
 * bad grammar (syntax, a word missing from the dictionary) fails at boot rather than on the first
 * call. Throws `VAPI_ERR_STT_GRAMMAR`, `VAPI_ERR_STT_MODEL` or `VAPI_ERR_STT_ENGINE`.
 */
export async function probeDecoder(config: DecoderConfig): Promise<void> {
  const decoder = await Decoder.start(config);
  decoder.end();
  const timer = setTimeout(() => void decoder.kill(), PROBE_TIMEOUT_MS);
  const exit = await decoder.exited;
  clearTimeout(timer);
  // Some problems are logged without failing (a keyphrase word missing from the dictionary): a
  // healthy decoder logs no ERROR at all, so any is a failure.
  if (exit.code === 0 && exit.errors.length === 0) return;
  const log = exit.errors.join('\n');
  const message = `pocketsphinx failed to load its ${config.search === 'languageModel' ? 'model' : config.search}: ${log || `exit code ${exit.code}, signal ${exit.signal}`}`;
  if (/jsgf|fsg|kws|keyphrase|missing in the dictionary/i.test(log)) {
    throw new VapiError(message, {
      code: 'VAPI_ERR_STT_GRAMMAR',
      category: 'invalid_request',
      details: { errors: exit.errors },
      fix: 'fix the grammar (JSGF syntax; every word must be in the dictionary, options.dict) or the keyphrase',
    });
  }
  if (exit.errors.length > 0) {
    throw new VapiError(message, {
      code: 'VAPI_ERR_STT_MODEL',
      category: 'invalid_request',
      details: { errors: exit.errors },
      fix: 'check options.hmm, options.dict and options.languageModel: they must be a pocketsphinx 0.8 model (apt-get install pocketsphinx-en-us)',
    });
  }
  throw engineError(message);
}
