/**
 * The WebRTC VAD as shipped by @echogarden/fvad-wasm: libfvad's C API over a wasm heap. One module
 * per plugin, shared by every detector (each has its own `Fvad*` and frame buffer in the heap).
 */
import { VapiError } from '@vapi-cn/sdk-plugin-api';

/** libfvad's functions (pointers are heap offsets) and the heap view. */
export interface FvadModule {
  /** A new `Fvad*`, or 0 when out of memory. */
  _fvad_new(): number;
  _fvad_free(vad: number): void;
  /** Clears all state, including mode and sample rate. */
  _fvad_reset(vad: number): void;
  /** 0..3; returns -1 for other modes. */
  _fvad_set_mode(vad: number, mode: number): number;
  /** 8000, 16000, 32000 or 48000; returns -1 for other rates. */
  _fvad_set_sample_rate(vad: number, rate: number): number;
  /** 1 voice, 0 no voice, -1 a frame that is not 10, 20 or 30 ms. */
  _fvad_process(vad: number, frame: number, length: number): number;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  /** Replaced when the heap grows: read it at each use, never keep it. */
  readonly HEAP16: Int16Array;
}

/** Instantiates the wasm module; a VapiError (`VAPI_ERR_VAD_LOAD`) if it cannot. */
export async function loadFvad(): Promise<FvadModule> {
  try {
    const { default: createFvadModule } = await import('@echogarden/fvad-wasm');
    return await createFvadModule();
  } catch (error) {
    throw new VapiError(`could not load the WebRTC VAD (fvad) wasm module: ${(error as Error).message}`, {
      code: 'VAPI_ERR_VAD_LOAD',
      category: 'invalid_request',
      cause: error,
      fix: 'reinstall the plugin dependencies (npm install @echogarden/fvad-wasm)',
    });
  }
}
