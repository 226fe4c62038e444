/**
 * FreeSWITCH 1.10 emulator for tests: Event Socket (inbound + outbound), channel events,
 * mod_commands API, mod_audio_stream and playback. See README.md in this folder.
 */
export {
  FreeSwitchEmulator,
  type FreeSwitchEmulatorOptions,
  type PlaceCallOptions,
  type DialplanTarget,
  type EmulatorStats,
} from './freeswitch-emulator.js';
export { EmulatedCall, type CallState } from './emulated-call.js';
export type { EmulatorProbe } from './probe.js';
export type { AudioStreamInfo, StreamMix } from './audio-streamer.js';
export type { OriginateAttempt, OriginateScript, OriginateHandler } from './originate.js';
export { FsEvent } from './fs-event.js';
export { urlEncode, serializePlain, serializeJson, serializeXml, type EventFormat } from './event-serializer.js';
export { EslCommandParser, type EslCommand } from './command-parser.js';
