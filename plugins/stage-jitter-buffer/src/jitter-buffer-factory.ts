/**
 * The `default` jitter buffer factory, with a worker recipe so a media worker thread (where
 * transport-webrtc receives RTP) builds the same one with the same defaults.
 */
import type { JitterBuffer, JitterBufferFactory, JitterBufferOptions } from '@vapi-cn/sdk-plugin-api';
import { jitterBufferSettings, RtpJitterBuffer } from './jitter-buffer.js';

export function rtpJitterBufferFactory(options: Required<JitterBufferOptions>): JitterBufferFactory {
  const defaults = jitterBufferSettings(options, options);
  return {
    name: 'default',
    workerRecipe: { module: import.meta.url, export: 'rtpJitterBufferFactory', options: defaults },
    create<P = Uint8Array>(overrides: JitterBufferOptions = {}): JitterBuffer<P> {
      return new RtpJitterBuffer<P>(jitterBufferSettings(overrides, defaults));
    },
  };
}
