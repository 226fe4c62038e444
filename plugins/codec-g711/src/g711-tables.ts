/**
 * G.711 as lookup tables, built once at load: decoding is one read per byte, encoding one read per
 * sample. G.711 quantizes 14-bit (µ-law) or 13-bit (A-law) linear audio, so a table indexed by
 * the top 14 bits of a PCM16 sample (16384 entries) covers every input exactly.
 */

/** One G.711 law as tables (see buildTables). */
export interface G711Tables {
  /** Code for each 14-bit input, indexed by `(sample >> 2) & 0x3fff`. */
  readonly encode: Uint8Array;
  /** PCM16 value of each of the 256 codes. */
  readonly decode: Int16Array;
}

export function buildTables(compress: (sample: number) => number, expand: (code: number) => number): G711Tables {
  const encode = new Uint8Array(1 << 14);
  for (let index = 0; index < encode.length; index++) {
    // Sign-extend the 14-bit index back to a sample with those top bits.
    encode[index] = compress(((index << 18) >> 18) << 2);
  }
  const decode = new Int16Array(256);
  for (let code = 0; code < 256; code++) decode[code] = expand(code);
  return { encode, decode };
}

/** Encodes PCM16 through a table built by buildTables(). */
export function encodeWith(table: Uint8Array, input: Int16Array, out: Uint8Array): void {
  for (let i = 0; i < input.length; i++) out[i] = table[(input[i]! >> 2) & 0x3fff]!;
}

/** Decodes G.711 bytes through a table built by buildTables(). */
export function decodeWith(table: Int16Array, input: Uint8Array, out: Int16Array): void {
  for (let i = 0; i < input.length; i++) out[i] = table[input[i]!]!;
}
