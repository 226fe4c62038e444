/**
 * G.711 tables against the standard: every code's decoded value against the closed-form
 * reconstruction levels of ITU-T G.711 (written here independently of the bit-level code in src),
 * hand-checked values, and every one of the 65536 inputs against its quantization interval.
 */
import t from 'tap';
import { ALAW, MULAW, type G711Tables } from '../src/index.js';

const encode = (tables: G711Tables, sample: number) => tables.encode[(sample >> 2) & 0x3fff]!;

/** µ-law: codes are sent inverted; segment e, step m: ±((2m + 33)·2^e − 33), 14-bit, ×4 to 16-bit. */
function muLawReference(code: number): number {
  const bits = 0xff - code;
  const e = Math.floor(bits / 16) % 8;
  const m = bits % 16;
  const magnitude = ((2 * m + 33) * 2 ** e - 33) * 4;
  return bits >= 128 ? -magnitude : magnitude;
}

/** A-law: even bits inverted; segment 0 is linear (2m + 1), then (2m + 33)·2^(e−1); 13-bit, ×8 to 16-bit. */
function aLawReference(code: number): number {
  const bits = code ^ 0x55;
  const e = Math.floor(bits / 16) % 8;
  const m = bits % 16;
  const magnitude = (e === 0 ? 2 * m + 1 : (2 * m + 33) * 2 ** (e - 1)) * 8;
  return bits >= 128 ? magnitude : -magnitude;
}

/** Half the width of a code's quantization interval, in PCM16 units. */
const muLawHalfStep = (code: number) => 4 * 2 ** ((0xff - code) % 128 >> 4);
const aLawHalfStep = (code: number) => {
  const e = ((code ^ 0x55) >> 4) & 7;
  return e === 0 ? 8 : 8 * 2 ** (e - 1);
};

t.test('tables have the sizes the hot path indexes', async (t) => {
  for (const tables of [MULAW, ALAW]) {
    t.equal(tables.encode.length, 16384);
    t.equal(tables.decode.length, 256);
  }
});

t.test('µ-law: every code decodes to the G.711 reconstruction level', async (t) => {
  for (let code = 0; code < 256; code++) t.equal(MULAW.decode[code], muLawReference(code), `code 0x${code.toString(16)}`);
  // Hand-checked against the G.711 table.
  t.equal(MULAW.decode[0xff], 0);
  t.equal(MULAW.decode[0x7f], 0);
  t.equal(MULAW.decode[0x80], 32124);
  t.equal(MULAW.decode[0x00], -32124);
  t.equal(MULAW.decode[0xfe], 8);
  t.equal(MULAW.decode[0xef], 132);
});

t.test('A-law: every code decodes to the G.711 reconstruction level', async (t) => {
  for (let code = 0; code < 256; code++) t.equal(ALAW.decode[code], aLawReference(code), `code 0x${code.toString(16)}`);
  t.equal(ALAW.decode[0xd5], 8);
  t.equal(ALAW.decode[0x55], -8);
  t.equal(ALAW.decode[0xaa], 32256);
  t.equal(ALAW.decode[0x2a], -32256);
  t.equal(ALAW.decode[0xc5], 264); // first step of segment 1
});

t.test('encoding: reference values', async (t) => {
  t.same([0, -1, 32767, -32768, 8, -8].map((s) => encode(MULAW, s)), [0xff, 0x7f, 0x80, 0x00, 0xfe, 0x7e]);
  t.same([0, -1, 32767, -32768, 8, -9].map((s) => encode(ALAW, s)), [0xd5, 0x55, 0xaa, 0x2a, 0xd5, 0x55]);
});

t.test('encode(decode(code)) is the code, except µ-law negative zero', async (t) => {
  for (let code = 0; code < 256; code++) {
    t.equal(encode(ALAW, ALAW.decode[code]!), code, `A-law 0x${code.toString(16)}`);
    if (code !== 0x7f) t.equal(encode(MULAW, MULAW.decode[code]!), code, `µ-law 0x${code.toString(16)}`);
  }
  t.equal(encode(MULAW, MULAW.decode[0x7f]!), 0xff, 'µ-law -0 comes back as +0');
});

t.test('every PCM16 input lands in its quantization interval, monotonically', async (t) => {
  const cases = [
    { name: 'µ-law', tables: MULAW, halfStep: muLawHalfStep, overload: 32636 },
    { name: 'A-law', tables: ALAW, halfStep: aLawHalfStep, overload: 32768 },
  ];
  for (const { name, tables, halfStep, overload } of cases) {
    let outside = 0;
    let backwards = 0;
    let previous = -Infinity;
    for (let sample = -32768; sample <= 32767; sample++) {
      const code = encode(tables, sample);
      const decoded = tables.decode[code]!;
      if (decoded < previous) backwards++;
      previous = decoded;
      // Past the top decision level the quantizer overloads to its largest code.
      if (Math.abs(sample) < overload && Math.abs(sample - decoded) > halfStep(code)) outside++;
    }
    t.equal(outside, 0, `${name}: no input further than half a step from its level`);
    t.equal(backwards, 0, `${name}: larger inputs never decode smaller`);
  }
  t.equal(encode(MULAW, 32636), 0x80, 'µ-law overloads to its largest positive code');
  t.equal(encode(MULAW, -32637), 0x00, 'and its largest negative code');
});
