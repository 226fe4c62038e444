/** Failures shared by both buses: use after close and bad topics. */
import { VapiError } from '@vapi-cn/sdk-plugin-api';

export function busClosedError(): VapiError {
  return new VapiError('The message bus is closed', {
    code: 'VAPI_ERR_BUS_CLOSED',
    category: 'connectivity',
    retryable: false,
  });
}

export function assertTopic(kind: 'topic' | 'pattern', value: string): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new VapiError(`A bus ${kind} must be a non-empty string`, { code: 'VAPI_ERR_BUS_TOPIC', category: 'invalid_request' });
  }
}
