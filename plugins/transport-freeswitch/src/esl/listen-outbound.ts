/** Outbound mode: FreeSWITCH's dialplan `socket` application connects to us, one socket per call. */
import net, { type AddressInfo, type Socket } from 'node:net';
import type { Logger, VapiError } from '@vapi-cn/sdk-plugin-api';
import { DEFAULT_COMMAND_TIMEOUT_MS, ModeslEslConnection } from './esl-connection.js';
import { closedError, listenError, notFullError, protocolError, timeoutError } from './esl-errors.js';
import { eslEventFromHeaders } from './esl-event-parse.js';
import { EslFrameGuard } from './esl-frame-guard.js';
import type { EslFrame } from './esl-frame-reader.js';
import { createOutboundModesl } from './modesl.js';
import type { EslConnection, OutboundEslListenerOptions } from './types.js';

export interface OutboundEslListener {
  /** The port listened on (the one picked when the options said 0). */
  readonly port: number;
  /** Stops accepting, closes the connections still open (sending `exit`), resolves when all are gone. */
  close(): Promise<void>;
}

/**
 * Listens on host:port; each socket FreeSWITCH opens gets a guarded modesl connection, which
 * `onConnection` receives once FreeSWITCH answered `connect` with CHANNEL_DATA (`channelData`)
 * and accepted modesl's event subscription. A socket without `full` in the dialplan is closed
 * with VAPI_ERR_ESL_NOT_FULL (logged). Send `myevents json` first on each connection: until then
 * the subscription modesl made covers every channel's CHANNEL_EXECUTE_COMPLETE, not just this one.
 */
export async function listenOutbound(
  options: OutboundEslListenerOptions,
  onConnection: (connection: EslConnection) => void,
  log: Logger,
): Promise<OutboundEslListener> {
  const where = `${options.host}:${options.port}`;
  const handshakeTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const live = new Set<ModeslEslConnection>();

  const accept = (socket: Socket): void => {
    const connectionLog = log.child({ esl: 'outbound', peer: `${socket.remoteAddress}:${socket.remotePort}` });
    const guard = new EslFrameGuard(socket, { log: connectionLog, frameStallMs: options.frameStallMs });
    const connection = new ModeslEslConnection({
      mode: 'outbound',
      modesl: createOutboundModesl(guard),
      guard,
      log: connectionLog,
      commandTimeoutMs: options.commandTimeoutMs,
    });
    live.add(connection);
    void connection.whenClosed().then(() => live.delete(connection));
    outboundHandshake(connection, handshakeTimeoutMs).then(
      () => {
        try {
          onConnection(connection);
        } catch (err) {
          connectionLog.error({ err }, 'the outbound ESL connection handler threw');
          connection.abort(`the connection handler threw: ${(err as Error).message}`);
        }
      },
      (error: VapiError) => {
        const level = error.code === 'VAPI_ERR_ESL_CLOSED' ? 'info' : 'error';
        connectionLog[level]({ code: error.code, fix: error.fix }, `outbound ESL connection dropped: ${error.message}`);
        connection.abort(`${error.code}: ${error.message}`);
      },
    );
  };

  // modesl's own Server ignores port 0; a plain net.Server gives ephemeral ports and one place to close.
  const server = net.createServer(accept);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(listenError(where, err)));
    server.listen(options.port, options.host, () => resolve());
  });
  server.on('error', (err) => log.error({ err }, 'ESL outbound listener error'));
  const port = (server.address() as AddressInfo).port;
  log.info({ host: options.host, port }, 'listening for FreeSWITCH outbound sockets');

  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.all([...live].map((connection) => connection.close()));
        await stopped;
      })();
      return closing;
    },
  };
}

/**
 * modesl sends `connect` (answered with CHANNEL_DATA as a command/reply) and then
 * `event json BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE`, and emits esl::ready after that second
 * reply. The guard emits each reply before modesl sees it, so both are known by then.
 */
function outboundHandshake(connection: ModeslEslConnection, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let replies = 0;
    let subscriptionReply = '';
    let settled = false;
    const onFrame = (frame: EslFrame) => {
      if (frame.contentType !== 'command/reply') return;
      replies++;
      if (replies === 1 && frame.headers['Event-Name'] === 'CHANNEL_DATA') connection.channelData = eslEventFromHeaders({ ...frame.headers });
      else if (replies === 2) subscriptionReply = frame.headers['Reply-Text'] ?? '';
    };
    const onClose = (reason: string) => finish(closedError('connect', reason));
    const finish = (error?: VapiError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      connection.guard.off('frame', onFrame);
      connection.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => finish(timeoutError('connect', timeoutMs)), timeoutMs);
    connection.guard.on('frame', onFrame);
    connection.on('close', onClose);
    connection.modesl.once('esl::ready', () => {
      const channelData = connection.channelData;
      if (!channelData) return finish(protocolError('the peer did not answer `connect` with CHANNEL_DATA: is it FreeSWITCH?'));
      const control = channelData.headers.Control;
      // FreeSWITCH says so in CHANNEL_DATA (`Control: single-channel`), and refuses `event` with
      // `-ERR command not found`; either is enough.
      if ((control !== undefined && control !== 'full') || subscriptionReply.startsWith('-ERR')) return finish(notFullError(channelData.uuid));
      finish();
    });
  });
}
