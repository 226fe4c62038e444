/** RTP sequence numbers are 16-bit and wrap; the buffer works on unwrapped (extended) numbers. */

/**
 * Extends a 16-bit sequence number to the unwrapped number nearest `reference` (serial-number
 * arithmetic, RFC 1982): 65535 then 0 are consecutive, and a number more than 32768 away on one
 * side is taken as being on the other.
 */
export function unwrapSequence(sequence: number, reference: number): number {
  const delta = (sequence - reference) & 0xffff;
  return reference + (delta >= 0x8000 ? delta - 0x10000 : delta);
}
