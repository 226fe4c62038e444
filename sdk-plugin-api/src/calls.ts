/**
 * Calls as the server tracks them. A transport opens a call when one arrives; the call gets a
 * record in the store, a logger carrying its id, and its own scope (a child DI container) where
 * per-call services live. Ending the call closes every per-call service, writes the end reason
 * and keeps the record. Ending is idempotent.
 */
import type { Logger } from './logger.js';
import type { Ref } from './refs.js';
import type { CallDirection, CallRecord } from './store.js';
import type { DialProgress } from './transport.js';

export interface OpenCallOptions {
  /** Defaults to a new UUID. Transports that already have an id (a FreeSWITCH UUID) pass it. */
  id?: string;
  transport: string;
  direction: CallDirection;
  /**
   * The record's first status. Default `ringing` (a call arriving); outbound calls the server is
   * about to dial start `queued`.
   */
  status?: 'queued' | 'ringing';
  assistantId?: string | null;
  fromNumber?: string | null;
  toNumber?: string | null;
  metadata?: Record<string, unknown>;
}

export interface CallScope {
  readonly id: string;
  readonly record: Readonly<CallRecord>;
  /** Child logger with `callId`, `transport` and `assistantId`. */
  readonly log: Logger;
  /** Aborted when the call ends; pass it to provider streams. */
  readonly signal: AbortSignal;
  readonly ended: boolean;
  /**
   * Resolves a ref in this call's scope: a per-call instance (created on first use from a
   * `provideForCall` factory, or set with `provide`) or else the server-wide value.
   */
  resolve<T>(ref: Ref<T>): T;
  /** Sets a per-call value, closed (if it has close()/dispose()) when the call ends. */
  provide<T>(ref: Ref<T>, value: T): void;
  /** Runs when the call ends, before per-call services are closed. */
  onEnd(listener: (reason: string) => void | Promise<void>): void;
  /**
   * An outbound call moved on before the answer: the record's status becomes `ringing` (from
   * `queued`) and a `progress` event (`{ progress }`) is recorded. Ignored once the call is
   * answered or ended, so a late report never moves the record back.
   */
  progress(progress: DialProgress): Promise<void>;
  /** Marks the call answered (status in-progress). */
  answered(): Promise<void>;
  /** Records an event (transcript, latency...) against this call. */
  event(type: string, payload: Record<string, unknown>): Promise<void>;
  /** Ends the call: runs onEnd listeners, closes per-call services, writes the record. */
  end(reason: string): Promise<void>;
}

export interface CallManager {
  /** Fails with VAPI_ERR_CALL_DRAINING while the server shuts down. */
  open(options: OpenCallOptions): Promise<CallScope>;
  get(callId: string): CallScope | undefined;
  /** Calls not yet ended. */
  active(): CallScope[];
  readonly draining: boolean;
}
