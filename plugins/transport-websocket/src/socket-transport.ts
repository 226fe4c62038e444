/** A Transport whose calls come from WebSocket connections: it only holds the engine's handler. */
import { VapiError, type CallLeg, type IncomingCall, type Transport } from '@vapi-cn/sdk-plugin-api';

export class SocketTransport implements Transport {
  private handler: ((leg: CallLeg, call: IncomingCall) => Promise<void>) | undefined;

  constructor(readonly name: string) {}

  onCall(handler: (leg: CallLeg, call: IncomingCall) => Promise<void>): void {
    this.handler = handler;
  }

  accept(leg: CallLeg, call: IncomingCall): Promise<void> {
    if (!this.handler) {
      return Promise.reject(
        new VapiError('the server is not ready to take calls', { code: 'VAPI_ERR_WS_NOT_READY', category: 'connectivity', retryable: true, fix: 'retry once GET /ready answers 200' }),
      );
    }
    return this.handler(leg, call);
  }
}
