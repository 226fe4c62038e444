import type { EmulatedCall } from './emulated-call.js';
import type { EventFactory, FsEvent } from './fs-event.js';
import type { EmulatorProbe } from './probe.js';
import type { SharedTicker } from './ticker.js';

/** Counters behind `emulator.stats()`. */
export interface EmulatorCounters {
  eslConnectionsTotal: number;
  outboundConnectionsTotal: number;
  commandsReceived: number;
  apiCommands: number;
  bgapiCommands: number;
  eventsFired: number;
  eventsDelivered: number;
  eslBytesSent: number;
  callsTotal: number;
  audioStreamsOpened: number;
  audioFramesSent: number;
  audioBytesSent: number;
}

/** What a channel needs from the switch around it. */
export interface CallHost {
  readonly events: EventFactory;
  readonly ticker: SharedTicker;
  readonly counters: EmulatorCounters;
  /** Measurement hooks (load tests); undefined unless the emulator was started with one. */
  readonly probe: EmulatorProbe | undefined;
  /** Hands an event to every ESL listener (subscriptions and filters decide who gets it). */
  fire(event: FsEvent): void;
  /** A console log line, delivered to `log <level>` listeners as log/data. */
  log(level: number, file: string, func: string, line: number, message: string, uuid?: string): void;
  /** Writes a file in the emulator's temp_dir and returns its path. */
  writeTempFile(name: string, data: Buffer): string;
  /** The `socket` application: dial the app. `done(false)` when it cannot be reached. */
  dialSocket(call: EmulatedCall, data: string, done: (connected: boolean) => void): void;
  callDestroyed(call: EmulatedCall): void;
}
