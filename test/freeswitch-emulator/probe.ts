import type { EmulatedCall } from './emulated-call.js';

/**
 * Measurement hooks for load tests and benchmarks (`FreeSwitchEmulator.start({ probe })`). Every
 * hook is optional and runs synchronously on the emulator's thread, so it must be cheap; times are
 * `performance.now()` of the emulator's process. Nothing here changes what the emulator does.
 */
export interface EmulatorProbe {
  /**
   * A command came off an ESL socket, as it arrived and before it runs (`line` is its first line:
   * `api uuid_break <uuid> all`, `auth <password>`...).
   */
  commandReceived?(line: string, receivedAt: number): void;
  /**
   * The caller starts talking: the first 20 ms frame holding `say()` (or `callerAudio`) audio after
   * caller silence was just sent on the call's mod_audio_stream WebSocket.
   */
  callerSpeechSent?(call: EmulatedCall, sentAt: number): void;
  /** A file played to its end; its last frame is out at `endsAt` (that frame's tick + 20 ms). */
  playbackDone?(call: EmulatedCall, path: string, endsAt: number): void;
}
