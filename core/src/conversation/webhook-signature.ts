/**
 * Signatures on the requests VAPI-CN sends to tool webhooks and the assistant's server, so a
 * receiver can tell they came from us, unaltered and recently.
 *
 * For receivers: every signed request carries
 *
 *     X-Vapi-Signature: t=<unix ms>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *     X-Vapi-Timestamp: <the same unix ms>
 *
 * To verify, compute the HMAC over the raw body bytes exactly as received (before any JSON
 * parsing), compare it in constant time with `v1`, and reject a `t` further than the tolerance
 * (default 5 minutes, either way for clock skew) from your clock, which stops replays.
 * X-Vapi-Timestamp is informational: only the `t` inside the signature is covered by the HMAC.
 * `verifyWebhookSignature()` below does all of this.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Vapi-Signature';
export const TIMESTAMP_HEADER = 'X-Vapi-Timestamp';

/** How far a signature's timestamp may be from the receiver's clock, by default. */
export const DEFAULT_SIGNATURE_TOLERANCE_MS = 5 * 60_000;

/** Headers to send with `body`, signed at `now` (unix ms) with `secret`. */
export function signWebhook(secret: string, body: string, now: number): Record<string, string> {
  const t = Math.floor(now);
  return { [SIGNATURE_HEADER]: `t=${t},v1=${hmac(secret, t, body)}`, [TIMESTAMP_HEADER]: String(t) };
}

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'mismatch' };

export interface VerifyOptions {
  secret: string;
  /** The raw request body, exactly as received. */
  body: string | Buffer;
  /** The X-Vapi-Signature header value. */
  header: string | undefined;
  /** The receiver's clock, unix ms. */
  now: number;
  toleranceMs?: number;
}

/** Checks a received X-Vapi-Signature: well formed, within the tolerance, and matching the body. */
export function verifyWebhookSignature(options: VerifyOptions): SignatureCheck {
  if (!options.header) return { ok: false, reason: 'missing' };
  const fields = new Map(options.header.split(',').map((part) => part.trim().split('=', 2) as [string, string | undefined]));
  const t = fields.get('t');
  const v1 = fields.get('v1');
  if (!t || !/^\d{1,16}$/.test(t) || !v1 || !/^[0-9a-f]{64}$/i.test(v1)) return { ok: false, reason: 'malformed' };
  const timestamp = Number(t);
  if (Math.abs(options.now - timestamp) > (options.toleranceMs ?? DEFAULT_SIGNATURE_TOLERANCE_MS)) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(hmac(options.secret, timestamp, options.body), 'hex');
  // Same length by construction (both 32 bytes), as timingSafeEqual requires.
  if (!timingSafeEqual(expected, Buffer.from(v1, 'hex'))) return { ok: false, reason: 'mismatch' };
  return { ok: true, timestamp };
}

function hmac(secret: string, t: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');
}
