/**
 * Typed access to the parts of modesl 1.2.1 (CommonJS, no types) this layer uses, and the one
 * place that knows how to put an EslFrameGuard between modesl and its socket.
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** modesl's ESLevent: headers as a list, body as a string. */
export interface ModeslEvent {
  getHeader(name: string): string | null;
  getBody(): string;
}

/** The modesl.Connection surface used here (an EventEmitter2 with `::` delimited wildcards). */
export interface ModeslConnection {
  /** The stream modesl reads (through its Parser) and writes commands to; null once it ended. */
  socket: Duplex | null;
  on(event: string, listener: (...args: any[]) => void): unknown;
  once(event: string, listener: (...args: any[]) => void): unknown;
  removeListener(event: string, listener: (...args: any[]) => void): unknown;
  /** `api <command> <args>`; callbacks are paired FIFO with api/response frames. */
  api(command: string, args: string, callback: (reply: ModeslEvent) => void): void;
  /** A command plus `Name: value` headers; callbacks are paired FIFO with command/reply frames. */
  sendRecv(command: string, headers: Readonly<Record<string, string>> | null, callback: (reply: ModeslEvent) => void): void;
  /** Sends `exit` and ends the socket. */
  disconnect(): void;
}

interface ModeslModule {
  Connection: {
    /** Outbound: wraps a socket FreeSWITCH opened; sends `connect`, then `event json BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE`. */
    new (socket: Duplex): ModeslConnection;
    /** Inbound: net.connect()s itself, answers auth/request, then subscribes to the same two events. */
    new (host: string, port: number, password: string): ModeslConnection;
  };
}

const modesl = createRequire(import.meta.url)('modesl') as ModeslModule;

/** Outbound mode: modesl reads and writes `guard`, which wraps the socket FreeSWITCH opened. */
export function createOutboundModesl(guard: Duplex): ModeslConnection {
  return new modesl.Connection(guard);
}

/**
 * Inbound mode. modesl's constructor calls net.connect() itself and gives us no way to pass a
 * stream, so the guard goes in right after construction: the TCP connect has not completed yet
 * (it cannot within the same tick), and modesl only creates its Parser on `this.socket` in
 * `_onConnect`, and writes through `this.socket`; replacing `conn.socket` by the guard wrapping
 * the real socket therefore puts the guard under everything modesl reads and writes. Its
 * 'error'/'end' listeners stay on the real socket, which is what they are about.
 */
export function createInboundModesl<G extends Duplex>(
  host: string,
  port: number,
  password: string,
  wrap: (socket: Socket) => G,
): { modesl: ModeslConnection; socket: Socket; guard: G } {
  const connection = new modesl.Connection(host, port, password);
  const socket = connection.socket as Socket;
  if (!socket.connecting) throw new Error('modesl connected synchronously: cannot put the frame guard under it');
  const guard = wrap(socket);
  connection.socket = guard;
  return { modesl: connection, socket, guard };
}
