/**
 * Messages between the main thread and a media worker. Peers are addressed by an id the main
 * thread picks; requests that answer (answer, candidate) carry a `req` number. Audio travels as
 * Int16Array samples whose buffer is transferred, not copied.
 */
import { isVapiError, VapiError, type ErrorCategory, type RtcIceCandidate, type RtcPeerState, type WorkerRecipe } from '@vapi-cn/sdk-plugin-api';
import type { PeerNetworkOptions } from '../peer-config.js';

/** What every peer of the worker is built with (`workerData`). */
export interface MediaWorkerSetup {
  network: PeerNetworkOptions;
  inputSampleRate: number;
  outputSampleRate: number;
  connectTimeoutMs: number;
  mediaTimeoutMs: number;
  opus: WorkerRecipe;
  pacer: WorkerRecipe;
  jitterBuffer?: WorkerRecipe;
}

export type ToWorker =
  | { op: 'create'; id: number }
  | { op: 'answer'; id: number; req: number; sdp: string }
  | { op: 'candidate'; id: number; req: number; candidate: RtcIceCandidate | null }
  | { op: 'frame'; id: number; samples: Int16Array }
  | { op: 'clear'; id: number }
  | { op: 'close'; id: number };

export type FromWorker =
  | { op: 'ready' }
  | { op: 'setup-failed'; error: PlainError }
  | { op: 'reply'; id: number; req: number; sdp?: string; error?: PlainError }
  | { op: 'audio'; id: number; samples: Int16Array }
  | { op: 'local-candidate'; id: number; candidate: RtcIceCandidate | null }
  | { op: 'state'; id: number; state: RtcPeerState; error?: PlainError }
  | { op: 'log'; id: number | undefined; level: LogLevelName; fields: Record<string, unknown>; msg: string };

export type LogLevelName = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** A VapiError (or any error) as plain data that survives postMessage with its code and fix. */
export interface PlainError {
  message: string;
  code?: string;
  category?: ErrorCategory;
  fix?: string;
  details?: Record<string, unknown>;
  retryable?: boolean;
  stack?: string;
}

export function toPlainError(error: unknown): PlainError {
  if (isVapiError(error)) {
    return {
      message: error.message,
      code: error.code,
      category: error.category,
      retryable: error.retryable,
      ...(error.fix ? { fix: error.fix } : {}),
      ...(error.details ? { details: plainDetails(error.details) } : {}),
      ...(error.stack ? { stack: error.stack } : {}),
    };
  }
  const err = error instanceof Error ? error : new Error(String(error));
  return { message: err.message, ...(err.stack ? { stack: err.stack } : {}) };
}

export function fromPlainError(plain: PlainError): Error {
  if (!plain.code || !plain.category) return Object.assign(new Error(plain.message), plain.stack ? { stack: plain.stack } : {});
  const error = new VapiError(plain.message, {
    code: plain.code,
    category: plain.category,
    ...(plain.retryable !== undefined ? { retryable: plain.retryable } : {}),
    ...(plain.fix ? { fix: plain.fix } : {}),
    ...(plain.details ? { details: plain.details } : {}),
  });
  if (plain.stack) error.stack = plain.stack;
  return error;
}

/** Details are log-safe facts; anything that would not clone (a function, a socket) becomes text. */
function plainDetails(details: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details)) {
    out[key] = value === null || ['string', 'number', 'boolean', 'undefined'].includes(typeof value) ? value : String(value);
  }
  return out;
}
