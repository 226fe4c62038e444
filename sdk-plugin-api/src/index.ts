/**
 * @vapi-cn/sdk-plugin-api: the one package a VAPI-CN plugin imports.
 * Start with definePlugin() (plugin.ts) and the provider interfaces (providers/).
 */
export { Type } from '@sinclair/typebox';
export type { Static, TSchema } from '@sinclair/typebox';

export * from './version.js';
export * from './errors.js';
export * from './refs.js';
export * from './plugin.js';
export * from './frames.js';
export * from './providers/index.js';
export * from './transport.js';
export * from './leg-listeners.js';
export * from './webrtc.js';
export * from './stage.js';
export * from './worker-recipe.js';
export * from './carrier.js';
export * from './audio/index.js';
export type * from './media/index.js';
export type * from './logger.js';
export type * from './metrics.js';
export type * from './clock.js';
export type * from './bus.js';
export type * from './store.js';
export type * from './http.js';
export type * from './calls.js';
export type * from './number-routing.js';
export type * from './server-config.js';
export * from './system-clock.js';
export * from './telephony/china-numbers.js';
export * from './telephony/ip-ranges.js';
export * from './telephony/trunk-numbers.js';
export * from './telephony/caller-id-rules.js';
export * from './telephony/sip-trunk-schema.js';
export * from './telephony/sip-trunk-problems.js';
export * from './telephony/sip-trunk-carrier.js';
export * from './telephony/carrier-plugin.js';
