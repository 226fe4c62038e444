/** G.711 A-law (PCMA, RTP payload type 8): compression as in the ITU-T G.191 reference code. */
import { buildTables } from './g711-tables.js';

/** A-law inverts the even bits of every code on the line. */
const EVEN_BITS = 0x55;

/** Code of one PCM16 sample; negative samples are taken as their one's complement (as G.191 does). */
function compress(sample: number): number {
  let code = (sample < 0 ? ~sample : sample) >> 4; // 12-bit magnitude
  if (code > 15) {
    let segment = 1;
    while (code > 31) {
      code >>= 1;
      segment++;
    }
    code = (code - 16) | (segment << 4); // the leading 1 is implied by the segment
  }
  if (sample >= 0) code |= 0x80;
  return code ^ EVEN_BITS;
}

/** PCM16 value of a code: the middle of its quantization interval. */
function expand(code: number): number {
  const bits = code ^ EVEN_BITS;
  const segment = (bits >> 4) & 0x07;
  let magnitude = ((bits & 0x0f) << 4) + 8;
  if (segment > 0) magnitude = (magnitude + 0x100) << (segment - 1);
  return bits & 0x80 ? magnitude : -magnitude;
}

export const ALAW = buildTables(compress, expand);
