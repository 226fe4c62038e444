/**
 * Inbound jitter buffer for RTP-fed transports: packets arrive out of order, late, twice or not at
 * all; the transport pops one per 20 ms tick and gets them in sequence order, with gaps reported
 * as lost so the codec can conceal them (AudioCodec.conceal).
 */
import type { WorkerPortable } from '../worker-recipe.js';

export interface JitterPacket<P = Uint8Array> {
  /** RTP sequence number, 16-bit, wrapping. */
  sequence: number;
  /** RTP timestamp (sample clock). */
  timestamp: number;
  payload: P;
}

export interface JitterBufferOptions {
  /** Packets held before playout starts, and the depth the buffer steers towards (default 3). */
  targetDepth?: number;
  /** Above this depth the oldest packets are dropped (default 25). */
  maxDepth?: number;
}

export type JitterPop<P = Uint8Array> =
  | { kind: 'packet'; packet: JitterPacket<P> }
  /** The next packet in sequence is missing: conceal it. */
  | { kind: 'lost'; sequence: number }
  /** Nothing to play (not started, or the stream paused). */
  | { kind: 'empty' };

export interface JitterStats {
  received: number;
  played: number;
  lost: number;
  /** Arrived after their slot was played or concealed. */
  late: number;
  duplicates: number;
  reordered: number;
  /** Dropped because the buffer was over maxDepth. */
  overflow: number;
}

export interface JitterBuffer<P = Uint8Array> {
  readonly depth: number;
  readonly stats: Readonly<JitterStats>;
  push(packet: JitterPacket<P>): void;
  /** Called once per frame tick. */
  pop(): JitterPop<P>;
  reset(): void;
}

export interface JitterBufferFactory extends WorkerPortable {
  readonly name: string;
  create<P = Uint8Array>(options?: JitterBufferOptions): JitterBuffer<P>;
}
