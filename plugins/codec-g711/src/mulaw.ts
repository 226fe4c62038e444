/** G.711 µ-law (PCMU, RTP payload type 0): compression as in the ITU-T G.191 reference code. */
import { buildTables } from './g711-tables.js';

/**
 * Code of one PCM16 sample. Negative samples are taken as their one's complement (as G.191
 * does), so -1 encodes like -0, to 0x7F, and 0 to 0xFF.
 */
function compress(sample: number): number {
  let magnitude = ((sample < 0 ? ~sample : sample) >> 2) + 33; // 14-bit magnitude plus the µ-law bias
  if (magnitude > 0x1fff) magnitude = 0x1fff;
  let segment = 1;
  for (let rest = magnitude >> 6; rest !== 0; rest >>= 1) segment++;
  const code = ((8 - segment) << 4) | (15 - ((magnitude >> segment) & 0x0f));
  return sample >= 0 ? code | 0x80 : code;
}

/** PCM16 value of a code: codes are sent bit-inverted; the bias of 33 (0x84 at 16 bits) comes off. */
function expand(code: number): number {
  const bits = ~code & 0xff;
  const magnitude = ((((bits & 0x0f) << 3) + 0x84) << ((bits >> 4) & 0x07)) - 0x84;
  return bits & 0x80 ? -magnitude : magnitude;
}

export const MULAW = buildTables(compress, expand);
