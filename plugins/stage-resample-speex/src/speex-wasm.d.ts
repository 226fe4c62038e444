/**
 * Types for the raw emscripten build of the Speex resampler, which ships JavaScript only. Only the
 * exports this plugin calls are declared. Pointers are byte offsets into the module's heap.
 */
declare module '@echogarden/speex-resampler-wasm/simd' {
  /** The instantiated emscripten module. */
  export interface SpeexWasmModule {
    /** Views over the wasm heap; replaced (and the old ones detached) when the heap grows. */
    HEAPU8: Uint8Array;
    HEAP16: Int16Array;
    HEAPU32: Uint32Array;
    _malloc(size: number): number;
    _free(pointer: number): void;
    /** Returns a state pointer (0 on failure); writes the error code to `errPointer`. */
    _speex_resampler_init(channels: number, inRate: number, outRate: number, quality: number, errPointer: number): number;
    _speex_resampler_destroy(state: number): void;
    /** `inLenPointer`/`outLenPointer` hold capacities in, samples consumed/produced out. Returns an error code. */
    _speex_resampler_process_interleaved_int(state: number, inPointer: number, inLenPointer: number, outPointer: number, outLenPointer: number): number;
    _speex_resampler_reset_mem(state: number): number;
    _speex_resampler_get_output_latency(state: number): number;
  }
  const createModule: (overrides?: Record<string, unknown>) => Promise<SpeexWasmModule>;
  export default createModule;
}
