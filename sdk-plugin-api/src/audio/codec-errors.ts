/** Checks shared by codec factories. */
import { VapiError } from '../errors.js';

/** Throws `invalid_request` unless `create()` asked for a rate and channel count this codec has. */
export function checkCodecOptions(name: string, options: { sampleRate: number; channels?: number }, rates: readonly number[]): void {
  if (!rates.includes(options.sampleRate)) {
    throw new VapiError(`${name} does not run at ${options.sampleRate} Hz`, {
      code: 'VAPI_ERR_CODEC_OPTIONS',
      category: 'invalid_request',
      fix: `create ${name} at ${rates.join(' or ')} Hz, resampling the call audio to it`,
    });
  }
  if (options.channels !== undefined && options.channels !== 1) {
    throw new VapiError(`${name} is mono here, not ${options.channels} channels`, {
      code: 'VAPI_ERR_CODEC_OPTIONS',
      category: 'invalid_request',
      fix: 'leave channels out or set it to 1; audio inside the server is mono',
    });
  }
}
