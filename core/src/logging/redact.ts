/**
 * Keeps secrets and phone numbers out of logs. Text and objects under secret-looking keys are
 * replaced whole; runs of 7+ digits (phone numbers, in any string) keep only their last 4 digits, so calls
 * can still be told apart. UUIDs (call ids) are left alone.
 */
const SECRET_KEY = /pass(word|wd)?|secret|token|api[-_]?key|authori[sz]ation|cookie|signature|credential|private[-_]?key/i;
const UUID_OR_PHONE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\+?\d{7,}/gi;
const MAX_DEPTH = 6;

export const REDACTED = '[redacted]';

export function maskPhoneNumbers(text: string): string {
  if (!/\d{7}/.test(text)) return text;
  return text.replace(UUID_OR_PHONE, (match) => (match.length === 36 && match.includes('-') ? match : '*'.repeat(match.length - 4) + match.slice(-4)));
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Secrets are text (or objects of it); a number under `maxTokens` or a flag under `useToken` is not one. */
function holdsSecret(value: unknown): boolean {
  return (typeof value === 'string' && value !== '') || (typeof value === 'object' && value !== null);
}

/** A redacted copy of a log object; the input is not modified. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPhoneNumbers(value);
  if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH) return value;
  if (value instanceof Error) return value; // pino's error serializer handles it; messages are masked in logMethod
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (value instanceof Date || ArrayBuffer.isView(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = isSecretKey(key) && holdsSecret(item) ? REDACTED : redact(item, depth + 1);
  }
  return out;
}
