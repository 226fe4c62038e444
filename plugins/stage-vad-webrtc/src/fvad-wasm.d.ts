/** Types for @echogarden/fvad-wasm (it ships none): libfvad compiled by Emscripten. */
declare module '@echogarden/fvad-wasm' {
  /** Instantiates the wasm module; every call is a separate module with its own memory. */
  export default function createFvadModule(): Promise<import('./fvad.js').FvadModule>;
}
