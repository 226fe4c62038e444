/**
 * Loads the Speex resampler wasm (SIMD build) once per process. Instantiation is async, so the
 * plugin awaits it in setup(); every resampler then shares the module (one heap) and creates its
 * own state synchronously.
 */
import createModule, { type SpeexWasmModule } from '@echogarden/speex-resampler-wasm/simd';
import { isVapiError } from '@vapi-cn/sdk-plugin-api';
import { wasmError } from './errors.js';

/** The Speex functions resamplers call, bound to the raw wasm exports. Pointers are heap offsets. */
export interface SpeexApi {
  /** The wasm heap. A new buffer after the heap grows: views over the old one are then detached. */
  heap(): ArrayBuffer;
  /** Returns 0 when the heap is exhausted. */
  malloc(bytes: number): number;
  free(pointer: number): void;
  /** A mono resampler state, or 0 (the Speex error code is written to `errPointer`). */
  init(channels: number, inRate: number, outRate: number, quality: number, errPointer: number): number;
  destroy(state: number): void;
  /** On return the two length slots hold samples consumed and produced. Returns a Speex error code. */
  process(state: number, inPointer: number, inLenPointer: number, outPointer: number, outLenPointer: number): number;
  /** Clears the filter memory and phase, as after init. */
  resetMem(state: number): number;
  /** The filter's delay in output samples. */
  outputLatency(state: number): number;
}

let loading: Promise<SpeexApi> | undefined;

/** The shared Speex API; the first call instantiates the wasm, later calls get the same one. */
export function loadSpeex(): Promise<SpeexApi> {
  // On failure, forget the promise so a later setup() can try again.
  loading ??= createModule()
    .then(bind)
    .catch((error: unknown) => {
      loading = undefined;
      throw isVapiError(error) ? error : wasmError('could not instantiate the wasm module', undefined, error);
    });
  return loading;
}

function bind(module: SpeexWasmModule): SpeexApi {
  warmUp(module);
  // Emscripten's exports are lazy wrappers that swap themselves for the raw wasm function on
  // first call (writing a property each time until then). warmUp() has called each one, so these
  // are the raw functions: nothing between a frame and the wasm.
  return {
    heap: () => module.HEAPU8.buffer as ArrayBuffer,
    malloc: module._malloc,
    free: module._free,
    init: module._speex_resampler_init,
    destroy: module._speex_resampler_destroy,
    process: module._speex_resampler_process_interleaved_int,
    resetMem: module._speex_resampler_reset_mem,
    outputLatency: module._speex_resampler_get_output_latency,
  };
}

// Runs one frame through a throwaway resampler: binds the exports and proves the wasm works at
// setup, not on the first frame of the first call.
function warmUp(module: SpeexWasmModule): void {
  const block = module._malloc(8 + 160 * 2 + 400 * 2);
  if (block === 0) throw wasmError('out of wasm memory at load');
  const state = module._speex_resampler_init(1, 8000, 16000, 0, block);
  if (state === 0) {
    const code = module.HEAPU32[block >> 2];
    module._free(block);
    throw wasmError('speex_resampler_init failed at load', code);
  }
  try {
    module.HEAPU32[block >> 2] = 160;
    module.HEAPU32[(block >> 2) + 1] = 400;
    module.HEAP16.fill(0, (block + 8) >> 1, (block + 8 + 160 * 2) >> 1);
    const result = module._speex_resampler_process_interleaved_int(state, block + 8, block, block + 8 + 160 * 2, block + 4);
    if (result !== 0 || module.HEAPU32[(block >> 2) + 1] !== 320) throw wasmError('the warm-up frame failed at load', result);
    module._speex_resampler_reset_mem(state);
    module._speex_resampler_get_output_latency(state);
  } finally {
    module._speex_resampler_destroy(state);
    module._free(block);
  }
}
