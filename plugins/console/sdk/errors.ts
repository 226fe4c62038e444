/**
 * Errors the SDK reports: its own (`VAPI_ERR_SDK_*`) and the server's, which keep their code
 * (docs/errors.md lists every one). `fix` says what to do about it.
 */
export class VapiClientError extends Error {
  override readonly name = 'VapiClientError';
  constructor(
    readonly code: string,
    message: string,
    readonly fix?: string,
  ) {
    super(message);
  }
}

/** What an `error` event carries. */
export interface VapiErrorEvent {
  code: string;
  message: string;
  fix?: string;
}

export function toErrorEvent(error: unknown): VapiErrorEvent {
  if (error instanceof VapiClientError) return { code: error.code, message: error.message, ...(error.fix ? { fix: error.fix } : {}) };
  return { code: 'VAPI_ERR_SDK_INTERNAL', message: error instanceof Error ? error.message : String(error) };
}
