/**
 * The streaming Speex resampler stage: one 20 ms frame in, one 20 ms frame out, with the filter
 * state carried across frames. Each instance owns its Speex state and one block of wasm heap for
 * its input and output; nothing is allocated, awaited or logged per frame.
 */
import { audioFrame, samplesPerFrame, type AudioFrame, type AudioStage } from '@vapi-cn/sdk-plugin-api';
import { closedError, wasmError } from './errors.js';
import { checkFrame } from './frame-check.js';
import { SampleFifo } from './sample-fifo.js';
import type { SpeexApi } from './speex-module.js';

// Room above one output frame in the wasm output buffer, so Speex always consumes the whole input
// frame (it yields at most one sample over the exact ratio).
const OUTPUT_HEADROOM = 16;

// Layout of an instance's heap block: two u32 length slots, then input samples, then output.
const LENGTHS_BYTES = 8;

interface Native {
  state: number;
  block: number;
}

// A resampler dropped without close() would leak its wasm heap for the life of the process.
const leaks = new FinalizationRegistry<{ api: SpeexApi; native: Native }>(({ api, native }) => freeNative(api, native));

function freeNative(api: SpeexApi, native: Native): void {
  if (native.state !== 0) api.destroy(native.state);
  if (native.block !== 0) api.free(native.block);
  native.state = 0;
  native.block = 0;
}

/** Converts 20 ms PCM16 frames from `inputRate` to `outputRate` with a Speex filter. */
export class SpeexResampler implements AudioStage {
  readonly name = 'speex';
  /** Delay of the filter, in output samples: the stream starts with this much (near) silence. */
  readonly delaySamples: number;

  private readonly inSize: number;
  private readonly outSize: number;
  private readonly outCapacity: number;
  private readonly native: Native;
  private readonly output: AudioFrame;
  private readonly fifo: SampleFifo;
  // Views over this instance's heap block; remapped when the heap grows (which detaches them).
  private lengths = new Uint32Array(0);
  private input = new Int16Array(0);
  private produced = new Int16Array(0);
  private producedFrame = new Int16Array(0);
  // False until the first frame after create/reset: only then may a short output be padded.
  private started = false;

  /** Use SpeexResamplerFactory.create(), which validates the options. */
  constructor(
    private readonly api: SpeexApi,
    readonly inputRate: number,
    readonly outputRate: number,
    readonly quality: number,
  ) {
    this.inSize = samplesPerFrame(inputRate);
    this.outSize = samplesPerFrame(outputRate);
    this.outCapacity = this.outSize + OUTPUT_HEADROOM;
    const block = api.malloc(LENGTHS_BYTES + 2 * (this.inSize + this.outCapacity));
    if (block === 0) throw wasmError('out of wasm memory');
    // The first length slot doubles as init's error out-parameter.
    const state = api.init(1, inputRate, outputRate, quality, block);
    if (state === 0) {
      const code = new Uint32Array(api.heap(), block, 1)[0];
      api.free(block);
      throw wasmError(`speex_resampler_init(${inputRate} → ${outputRate} Hz, quality ${quality})`, code);
    }
    this.native = { state, block };
    leaks.register(this, { api, native: this.native }, this);
    this.delaySamples = api.outputLatency(state);
    this.output = audioFrame(new Int16Array(this.outSize), outputRate);
    this.fifo = new SampleFifo(2 * this.outCapacity);
    this.mapViews();
  }

  /** Resamples one 20 ms frame; the result (same timestamp) is reused by the next call: copy it to keep it. */
  process(frame: AudioFrame): AudioFrame {
    const native = this.native;
    if (native.state === 0) throw closedError();
    checkFrame(frame, this.inputRate, this.inSize);
    // Another instance's malloc may have grown the heap since the last frame.
    if (this.lengths.length === 0) this.mapViews();
    const lengths = this.lengths;
    this.input.set(frame.samples);
    lengths[0] = this.inSize;
    lengths[1] = this.outCapacity;
    const block = native.block;
    const result = this.api.process(native.state, block + LENGTHS_BYTES, block, block + LENGTHS_BYTES + 2 * this.inSize, block + 4);
    if (result !== 0 || lengths[0] !== this.inSize) throw wasmError(`consumed ${lengths[0]} of ${this.inSize} samples`, result);
    const produced = lengths[1]!;
    const output = this.output;
    // Speex yields exactly one output frame per input frame when both are 20 ms: the FIFO only
    // comes into play if it ever does not.
    if (produced === this.outSize && this.fifo.length === 0) output.samples.set(this.producedFrame);
    else this.emitThroughFifo(produced);
    this.started = true;
    output.sampleRate = this.outputRate;
    output.timestamp = frame.timestamp;
    return output;
  }

  /** Clears the filter (barge-in): the next frame starts a new stream, as on a fresh instance. */
  reset(): void {
    if (this.native.state === 0) return;
    this.api.resetMem(this.native.state);
    this.fifo.clear();
    this.started = false;
  }

  /** Frees the Speex state and heap block. Idempotent; process() afterwards throws. */
  close(): void {
    if (this.native.state === 0) return;
    leaks.unregister(this);
    freeNative(this.api, this.native);
    this.lengths = new Uint32Array(0);
    this.input = this.produced = this.producedFrame = new Int16Array(0);
  }

  private emitThroughFifo(produced: number): void {
    // Short on the very first frame: the missing samples are the start of the stream, silence.
    if (!this.started && produced < this.outSize) this.fifo.pushZeros(this.outSize - produced);
    this.fifo.push(this.produced, 0, produced);
    this.fifo.shift(this.output.samples);
  }

  private mapViews(): void {
    const heap = this.api.heap();
    const block = this.native.block;
    const outAt = block + LENGTHS_BYTES + 2 * this.inSize;
    this.lengths = new Uint32Array(heap, block, 2);
    this.input = new Int16Array(heap, block + LENGTHS_BYTES, this.inSize);
    this.produced = new Int16Array(heap, outAt, this.outCapacity);
    this.producedFrame = new Int16Array(heap, outAt, this.outSize);
  }
}
