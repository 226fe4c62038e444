/** Both buses send JSON text, so a message arrives the same way whichever bus carries it. */
import { VapiError } from '@vapi-cn/sdk-plugin-api';

/**
 * The JSON text sent for `message`. Rejects what JSON cannot carry (undefined, functions, BigInt,
 * cycles) instead of sending something the subscriber cannot read.
 */
export function encodeMessage(topic: string, message: unknown): string {
  let encoded: string | undefined;
  try {
    encoded = JSON.stringify(message);
  } catch (err) {
    throw new VapiError(`Cannot send the message on '${topic}' as JSON: ${err instanceof Error ? err.message : String(err)}`, {
      code: 'VAPI_ERR_BUS_ENCODE',
      category: 'invalid_request',
      cause: err,
      fix: 'Publish plain JSON data: objects, arrays, strings, numbers, booleans and null.',
    });
  }
  if (encoded === undefined) {
    throw new VapiError(`Cannot send ${typeof message} on '${topic}': JSON has no representation for it`, {
      code: 'VAPI_ERR_BUS_ENCODE',
      category: 'invalid_request',
      fix: 'Publish plain JSON data: objects, arrays, strings, numbers, booleans and null.',
    });
  }
  return encoded;
}
