/**
 * The RTP jitter buffer: packets are held in a ring indexed by unwrapped sequence number, played
 * out in order once targetDepth are in, and gaps are reported as lost so the codec conceals them.
 * push() and pop() allocate nothing.
 */
import { VapiError, type JitterBuffer, type JitterBufferOptions, type JitterPacket, type JitterPop, type JitterStats } from '@vapi-cn/sdk-plugin-api';
import { unwrapSequence } from './sequence.js';

/**
 * RFC 3550 A.1: a packet this far ahead of the newest, or MAX_MISORDER behind playout, is not
 * jitter but a new sequence space (the sender restarted); the next packet in sequence confirms it.
 */
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;

const EMPTY: JitterPop<never> = Object.freeze({ kind: 'empty' });

/** Checks and completes buffer options; a bad depth is an invalid_request VapiError. */
export function jitterBufferSettings(options: JitterBufferOptions, defaults: Required<JitterBufferOptions>): Required<JitterBufferOptions> {
  const targetDepth = options.targetDepth ?? defaults.targetDepth;
  const maxDepth = options.maxDepth ?? defaults.maxDepth;
  if (!Number.isInteger(targetDepth) || !Number.isInteger(maxDepth) || targetDepth < 1 || maxDepth < targetDepth) {
    throw new VapiError(`jitter buffer depths must be integers with 1 <= targetDepth <= maxDepth, got targetDepth ${targetDepth}, maxDepth ${maxDepth}`, {
      code: 'VAPI_ERR_JITTER_OPTIONS',
      category: 'invalid_request',
      fix: 'set targetDepth to at least 1 and maxDepth to at least targetDepth',
    });
  }
  return { targetDepth, maxDepth };
}

/**
 * See JitterBuffer for the contract. Also:
 * - pop() returns an object reused by the next pop(): read it before popping again.
 * - When the buffer runs dry during playout, pop() says 'empty' and playout waits for targetDepth
 *   packets again, so a burst of late packets adds delay instead of a run of losses.
 * - The buffer spans at most maxDepth sequence numbers: a packet further ahead pushes the oldest
 *   out (counted as overflow; gaps skipped that way count as lost).
 * - `lost` counts sequence numbers never played: reported lost by pop(), or skipped.
 * - `late` also counts stray packets far outside the window (RFC 3550 probation); a copy of a
 *   packet already played counts as a duplicate.
 * - reset() drops the packets and the sequence state; stats are kept for the call.
 */
export class RtpJitterBuffer<P = Uint8Array> implements JitterBuffer<P> {
  private readonly targetDepth: number;
  private readonly maxDepth: number;
  private readonly slots: Array<JitterPacket<P> | undefined>;
  private readonly mask: number;
  /** Sequence number last played from each slot, to tell a late copy from a late original. */
  private readonly playedSequences: Float64Array;
  private readonly counters: JitterStats = { received: 0, played: 0, lost: 0, late: 0, duplicates: 0, reordered: 0, overflow: 0 };
  private readonly packetPop: { kind: 'packet'; packet: JitterPacket<P> } = { kind: 'packet', packet: undefined as unknown as JitterPacket<P> };
  private readonly lostPop: { kind: 'lost'; sequence: number } = { kind: 'lost', sequence: 0 };
  private count = 0;
  /** A first packet has anchored the sequence numbers. */
  private anchored = false;
  /** Playout is running (false until targetDepth packets are in, and again after running dry). */
  private playing = false;
  /** Playout has moved past `next`, so an earlier packet can no longer be placed. */
  private committed = false;
  /** Unwrapped sequence number of the next packet to play. */
  private next = 0;
  /** Highest unwrapped sequence number received. */
  private highest = 0;
  /** The 16-bit sequence number that would confirm a jump to a new sequence space, or -1. */
  private probation = -1;

  constructor(options: Required<JitterBufferOptions>) {
    this.targetDepth = options.targetDepth;
    this.maxDepth = options.maxDepth;
    let size = 1;
    while (size < this.maxDepth) size *= 2;
    this.slots = new Array<JitterPacket<P> | undefined>(size).fill(undefined);
    this.mask = size - 1;
    this.playedSequences = new Float64Array(size).fill(NaN);
  }

  get depth(): number {
    return this.count;
  }

  get stats(): Readonly<JitterStats> {
    return this.counters;
  }

  push(packet: JitterPacket<P>): void {
    const stats = this.counters;
    stats.received++;
    const sequence = packet.sequence & 0xffff;
    if (!this.anchored) return this.anchor(sequence, packet);
    const ext = unwrapSequence(sequence, this.highest);
    if (ext - this.highest > MAX_DROPOUT || this.next - ext > MAX_MISORDER) {
      if (sequence !== this.probation) {
        this.probation = (sequence + 1) & 0xffff;
        stats.late++;
        return;
      }
      stats.overflow += this.count;
      this.clear();
      return this.anchor(sequence, packet);
    }
    this.probation = -1;
    if (ext < this.next) {
      if (this.committed) {
        if (this.playedSequences[ext & this.mask] === ext) stats.duplicates++;
        else stats.late++;
        return;
      }
      if (this.highest - ext >= this.maxDepth) {
        stats.overflow++;
        return;
      }
      // Reordered before playout began: start from this earlier packet instead.
      this.next = ext;
    }
    // Make room first, so the slot the packet takes is not still held by a packet maxDepth older.
    while (ext - this.next >= this.maxDepth) this.dropOldest();
    const slot = ext & this.mask;
    if (this.slots[slot] !== undefined) {
      stats.duplicates++;
      return;
    }
    if (ext < this.highest) stats.reordered++;
    else this.highest = ext;
    this.slots[slot] = packet;
    this.count++;
  }

  pop(): JitterPop<P> {
    if (!this.playing) {
      if (this.count < this.targetDepth) return EMPTY;
      this.playing = true;
    }
    if (this.count === 0) {
      this.playing = false;
      return EMPTY;
    }
    const slot = this.next & this.mask;
    const packet = this.slots[slot];
    const sequence = this.next & 0xffff;
    this.next++;
    this.committed = true;
    if (packet === undefined) {
      // Later packets are here and this one is not: its time has come, so it is lost.
      this.counters.lost++;
      this.lostPop.sequence = sequence;
      return this.lostPop;
    }
    this.slots[slot] = undefined;
    this.playedSequences[slot] = this.next - 1;
    this.count--;
    this.counters.played++;
    this.packetPop.packet = packet;
    return this.packetPop;
  }

  reset(): void {
    this.clear();
    this.playedSequences.fill(NaN);
    this.anchored = false;
    this.probation = -1;
  }

  private anchor(sequence: number, packet: JitterPacket<P>): void {
    this.anchored = true;
    this.committed = false;
    this.playing = false;
    this.next = this.highest = sequence;
    this.slots[sequence & this.mask] = packet;
    this.count = 1;
  }

  private dropOldest(): void {
    const slot = this.next & this.mask;
    if (this.slots[slot] === undefined) this.counters.lost++;
    else {
      this.slots[slot] = undefined;
      this.count--;
      this.counters.overflow++;
    }
    this.next++;
    this.committed = true;
  }

  private clear(): void {
    this.slots.fill(undefined);
    this.count = 0;
    this.playing = false;
  }
}
