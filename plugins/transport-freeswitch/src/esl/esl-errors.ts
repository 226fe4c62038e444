/** The errors of the Event Socket layer; docs/errors.md lists them. */
import { VapiError } from '@vapi-cn/sdk-plugin-api';

const CONNECT_FIX =
  'check that FreeSWITCH is running and that mod_event_socket listens on this host and port ' +
  '(autoload_configs/event_socket.conf.xml: listen-ip, listen-port), and that no firewall is in the way';

/** Could not reach FreeSWITCH's Event Socket, or it went away before auth completed. */
export function connectError(where: string, problem: string, cause?: unknown): VapiError {
  return new VapiError(`cannot connect to FreeSWITCH's Event Socket at ${where}: ${problem}`, {
    code: 'VAPI_ERR_ESL_CONNECT',
    category: 'connectivity',
    fix: CONNECT_FIX,
    details: { where },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** FreeSWITCH's ACL refused us (`text/rude-rejection`). */
export function aclRejectedError(where: string, text: string): VapiError {
  return new VapiError(`FreeSWITCH's Event Socket at ${where} rejected this host: ${text.trim()}`, {
    code: 'VAPI_ERR_ESL_CONNECT',
    category: 'connectivity',
    retryable: false,
    fix: "allow this server's address in event_socket.conf.xml (apply-inbound-acl) and run `reloadacl`",
    details: { where },
  });
}

export function authError(where: string): VapiError {
  return new VapiError(`FreeSWITCH's Event Socket at ${where} rejected the password`, {
    code: 'VAPI_ERR_ESL_AUTH',
    category: 'auth',
    retryable: false,
    fix:
      "set the transport-freeswitch `password` option (or the environment variable your config reads it from) " +
      'to the `password` param of FreeSWITCH\'s autoload_configs/event_socket.conf.xml',
    details: { where },
  });
}

export function timeoutError(what: string, timeoutMs: number): VapiError {
  return new VapiError(`no answer from FreeSWITCH to '${what}' within ${timeoutMs} ms`, {
    code: 'VAPI_ERR_ESL_TIMEOUT',
    category: 'timeout',
    fix: 'check that FreeSWITCH is not overloaded; raise commandTimeoutMs (or the per-call timeout) for slow commands',
    details: { command: what, timeoutMs },
  });
}

export function closedError(what: string, reason: string): VapiError {
  return new VapiError(`the Event Socket connection closed before '${what}' completed (${reason})`, {
    code: 'VAPI_ERR_ESL_CLOSED',
    category: 'connectivity',
    details: { command: what, reason },
  });
}

/** The byte stream is not Event Socket framing we can trust; the connection is reset. */
export function protocolError(problem: string): VapiError {
  return new VapiError(problem, {
    code: 'VAPI_ERR_ESL_PROTOCOL',
    category: 'bad_input',
    fix:
      "make sure the configured host and port are FreeSWITCH's Event Socket; the connection was reset and is " +
      're-established by the transport. If it recurs, capture the traffic (tcpdump) and report it',
  });
}

export function notFullError(uuid: string | undefined): VapiError {
  return new VapiError('the outbound socket from the dialplan has no `full` flag, so FreeSWITCH refuses events, api and bgapi on it', {
    code: 'VAPI_ERR_ESL_NOT_FULL',
    category: 'invalid_request',
    fix: 'use `<action application="socket" data="host:port async full"/>` in the dialplan',
    details: uuid ? { uuid } : {},
  });
}

/** FreeSWITCH answered a command with something other than `+OK`. */
export function commandFailedError(what: string, reply: string): VapiError {
  return new VapiError(`FreeSWITCH refused '${what}': ${reply.trim() || '(empty reply)'}`, {
    code: 'VAPI_ERR_ESL_COMMAND_FAILED',
    category: 'invalid_request',
    details: { command: what, reply: reply.trim() },
  });
}

/** A command we must not send: it would break the framing of the command stream. */
export function badCommandError(what: string, problem: string): VapiError {
  return new VapiError(`cannot send '${what}': ${problem}`, {
    code: 'VAPI_ERR_ESL_BAD_COMMAND',
    category: 'invalid_request',
    fix: 'ESL commands, arguments and header values are single lines: remove line breaks (pass long text another way)',
    details: { command: what },
  });
}

export function channelGoneError(what: string, uuid: string): VapiError {
  return new VapiError(`channel ${uuid} hung up before '${what}' completed`, {
    code: 'VAPI_ERR_ESL_CHANNEL_GONE',
    category: 'invalid_request',
    details: { command: what, uuid },
  });
}

export function listenError(where: string, cause: unknown): VapiError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return new VapiError(`cannot listen for FreeSWITCH outbound sockets on ${where}: ${code ?? String(cause)}`, {
    code: 'VAPI_ERR_ESL_LISTEN',
    category: 'invalid_request',
    fix: 'pick a free port (and the same host:port in the dialplan\'s `socket` application), or stop what holds it',
    details: { where },
    cause,
  });
}
