/**
 * The VAPI-CN browser SDK, served by the console plugin at `/sdk/vapi-cn.js` (one ES module):
 *
 *   import { VapiClient } from 'https://your-server/sdk/vapi-cn.js';
 */
export { VapiClient, type AudioOptions, type ClientStatus, type StartOptions, type StatusEvent, type VapiClientOptions, type VapiEvents } from './client.js';
export type { Transport, WebSocketConstructor } from './connection.js';
export { ConversationLog, type ConversationEntry } from './conversation.js';
export { VapiClientError, type VapiErrorEvent } from './errors.js';
export type { ReconnectOptions } from './backoff.js';
export type { TurnLatency } from './protocol.js';
export type { Listener } from './emitter.js';

/** The SDK's version (that of the console plugin that serves it). */
export const VERSION = '1.0.0';
