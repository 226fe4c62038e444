/**
 * Secrets inside assistant configs (webhook secrets, vendor API keys) are write-only over the API:
 * responses show them as `[redacted]`, and a config PUT back with `[redacted]` in a secret field
 * keeps the stored value, so a read-modify-write never wipes a secret.
 */
import { isSecretKey, REDACTED } from '../logging/redact.js';

type Json = unknown;

export function hideSecrets(value: Json): Json {
  if (Array.isArray(value)) return value.map(hideSecrets);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, Json> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = isSecretKey(key) && typeof item === 'string' && item !== '' ? REDACTED : hideSecrets(item);
  }
  return out;
}

/** `incoming` with every `[redacted]` secret replaced by the value at the same place in `stored`. */
export function keepStoredSecrets(incoming: Json, stored: Json): Json {
  if (Array.isArray(incoming)) return incoming.map((item, i) => keepStoredSecrets(item, Array.isArray(stored) ? stored[i] : undefined));
  if (incoming === null || typeof incoming !== 'object') return incoming;
  const previous = stored !== null && typeof stored === 'object' && !Array.isArray(stored) ? (stored as Record<string, Json>) : {};
  const out: Record<string, Json> = {};
  for (const [key, item] of Object.entries(incoming)) {
    out[key] = isSecretKey(key) && item === REDACTED ? previous[key] : keepStoredSecrets(item, previous[key]);
  }
  return out;
}
