/**
 * Errors for malformed audio: always `bad_input`, never retryable (the same input fails again).
 * Codes are written out in full at each call site, so docs/errors.md can be checked against them.
 */
import { VapiError } from '../errors.js';

export function badAudioError(code: string, message: string, fix?: string, cause?: unknown): VapiError {
  return new VapiError(message, { code, category: 'bad_input', retryable: false, ...(fix ? { fix } : {}), ...(cause === undefined ? {} : { cause }) });
}
