/** The errors a voice WebSocket client can get, as `{type: 'error', code, message}` messages. */
import { VapiError } from '@vapi-cn/sdk-plugin-api';

export function protocolError(message: string, fix: string, details?: Record<string, unknown>): VapiError {
  return new VapiError(message, { code: 'VAPI_ERR_WS_PROTOCOL', category: 'bad_input', fix, ...(details ? { details } : {}) });
}

export function audioError(message: string, fix: string): VapiError {
  return new VapiError(message, { code: 'VAPI_ERR_WS_AUDIO', category: 'bad_input', fix });
}

export function startTimeoutError(ms: number): VapiError {
  return new VapiError(`no start message within ${ms} ms`, {
    code: 'VAPI_ERR_WS_START_TIMEOUT',
    category: 'timeout',
    fix: 'send {"type":"start","assistant_id":"…"} right after connecting',
  });
}

/** WebSocket close codes (4000-4999 are the application's). */
export const CLOSE = {
  normal: 1000,
  /** The call ended on the server's side (assistant ended it, error, shutdown). */
  ended: 4000,
  /**
   * A WebRTC call's media failed or stopped while this socket was still open (reason ice-failed,
   * connect-timeout, media-timeout or peer-closed). The browser SDK reconnects after it, as after a drop.
   */
  mediaLost: 4001,
  badStart: 4400,
  startTimeout: 4408,
  /** The client stopped answering pings. */
  vanished: 4410,
} as const;
