/** Reconnect policy: when a dropped connection is worth reopening, and how long to wait first. */

export interface ReconnectOptions {
  /** Give up after this many failed attempts in a row (default 5). */
  maxAttempts?: number;
  /** Delay before the first attempt (default 500 ms); doubles each attempt. */
  initialDelayMs?: number;
  /** Largest delay (default 8000 ms). */
  maxDelayMs?: number;
  /** Random share taken off each delay, 0..1 (default 0.2), so clients do not all return at once. */
  jitter?: number;
}

export const RECONNECT_DEFAULTS: Required<ReconnectOptions> = { maxAttempts: 5, initialDelayMs: 500, maxDelayMs: 8000, jitter: 0.2 };

/** The wait before attempt `attempt` (1-based): initial × 2^(attempt-1), capped, minus jitter. */
export function backoffDelay(attempt: number, options: ReconnectOptions = {}, random: () => number = Math.random): number {
  const { initialDelayMs, maxDelayMs, jitter } = { ...RECONNECT_DEFAULTS, ...options };
  const base = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (1 - Math.min(1, Math.max(0, jitter)) * random()));
}

/** The server lost a WebRTC call's media (ICE failed, no RTP): the call ended, but as a drop would. */
export const MEDIA_LOST_CLOSE = 4001;

/**
 * Whether a connection that closed with `code` dropped unexpectedly. Not when the client stopped,
 * the server said the call ended, or the server closed on purpose: 1000 (normal), 1008 (policy),
 * 1009 (message too big) and 4000-4999 (the voice API's own codes: call ended, bad start...);
 * except 4001, media lost, which is a network failure the server noticed first.
 */
export function isUnexpectedClose(code: number, { stopped, ended }: { stopped: boolean; ended: boolean }): boolean {
  if (stopped) return false;
  if (code === MEDIA_LOST_CLOSE) return true;
  if (ended) return false;
  if (code === 1000 || code === 1008 || code === 1009) return false;
  return code < 4000 || code > 4999;
}
