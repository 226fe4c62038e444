/** Inbound mode: we connect to FreeSWITCH's Event Socket (port 8021) and authenticate. */
import type { Logger, VapiError } from '@vapi-cn/sdk-plugin-api';
import { ModeslEslConnection } from './esl-connection.js';
import { aclRejectedError, authError, badCommandError, connectError } from './esl-errors.js';
import { EslFrameGuard } from './esl-frame-guard.js';
import type { EslFrame } from './esl-frame-reader.js';
import { createInboundModesl } from './modesl.js';
import type { EslConnection, InboundEslOptions } from './types.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

/**
 * TCP connect plus auth within `connectTimeoutMs`. Rejects VAPI_ERR_ESL_AUTH on a wrong password
 * (not retryable) and VAPI_ERR_ESL_CONNECT when FreeSWITCH cannot be reached, refuses us (ACL)
 * or does not answer in time. modesl then subscribes `event json BACKGROUND_JOB
 * CHANNEL_EXECUTE_COMPLETE` by itself, which bgapi() and execute() rely on.
 */
export async function connectInbound(options: InboundEslOptions, log: Logger): Promise<EslConnection> {
  const where = `${options.host}:${options.port}`;
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  if (options.password.includes('\n') || options.password.includes('\r')) throw badCommandError('auth', 'the password contains a line break');
  const connectionLog = log.child({ esl: 'inbound', freeswitch: where });
  let parts: ReturnType<typeof createInboundModesl<EslFrameGuard>>;
  try {
    parts = createInboundModesl(options.host, options.port, options.password, (socket) => {
      return new EslFrameGuard(socket, { log: connectionLog, frameStallMs: options.frameStallMs });
    });
  } catch (err) {
    throw connectError(where, (err as Error).message, err);
  }
  const connection = new ModeslEslConnection({
    mode: 'inbound',
    modesl: parts.modesl,
    guard: parts.guard,
    log: connectionLog,
    commandTimeoutMs: options.commandTimeoutMs,
  });
  await new Promise<void>((resolve, reject) => {
    let rejection: string | undefined;
    let settled = false;
    const onFrame = (frame: EslFrame) => {
      if (frame.contentType === 'text/rude-rejection') rejection = frame.body?.toString('utf8') ?? '';
    };
    const onClose = (reason: string) => fail(rejection === undefined ? connectError(where, reason) : aclRejectedError(where, rejection));
    const onAuthFailed = () => fail(authError(where));
    const onReady = () => {
      if (settled) return;
      done();
      resolve();
    };
    const done = () => {
      settled = true;
      clearTimeout(timer);
      parts.guard.off('frame', onFrame);
      connection.off('close', onClose);
      parts.modesl.removeListener('esl::event::auth::fail', onAuthFailed);
      parts.modesl.removeListener('esl::ready', onReady);
    };
    const fail = (error: VapiError) => {
      if (settled) return;
      done();
      connection.abort(`${error.code}: ${error.message}`);
      reject(error);
    };
    const timer = setTimeout(() => fail(connectError(where, `no auth/request and auth reply within ${connectTimeoutMs} ms`)), connectTimeoutMs);
    parts.guard.on('frame', onFrame);
    connection.on('close', onClose);
    parts.modesl.on('esl::event::auth::fail', onAuthFailed);
    parts.modesl.on('esl::ready', onReady);
  });
  connectionLog.info("connected to FreeSWITCH's Event Socket");
  return connection;
}
