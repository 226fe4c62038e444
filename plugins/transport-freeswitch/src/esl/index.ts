/** The Event Socket layer: typed ESL connections (inbound and outbound) over modesl, behind a frame guard. */
export type { EslConnection, EslConnectionEvents, EslEvent, InboundEslOptions, OutboundEslListenerOptions } from './types.js';
export { connectInbound, DEFAULT_CONNECT_TIMEOUT_MS } from './connect-inbound.js';
export { listenOutbound, type OutboundEslListener } from './listen-outbound.js';
export { ModeslEslConnection, DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_BGAPI_TIMEOUT_MS } from './esl-connection.js';
export { EslFrameGuard, DEFAULT_FRAME_STALL_MS, type EslFrameGuardOptions } from './esl-frame-guard.js';
export { EslFrameReader, MAX_CONTENT_LENGTH, MAX_HEADER_BLOCK_BYTES, type EslFrame, type EslReadResult, type EslFrameLimits } from './esl-frame-reader.js';
