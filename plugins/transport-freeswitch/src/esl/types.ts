/**
 * The typed face of an Event Socket connection (modesl underneath, which ships no types).
 * The transport only ever talks to FreeSWITCH through these.
 */

/** One FreeSWITCH event, from `event json` (values are strings, as FreeSWITCH sends them). */
export interface EslEvent {
  /** `Event-Name`, e.g. CHANNEL_ANSWER, CUSTOM, BACKGROUND_JOB. */
  readonly name: string;
  /** `Event-Subclass` of CUSTOM events, e.g. `mod_audio_stream::json`. */
  readonly subclass?: string;
  /** `Unique-ID`: the channel the event is about. */
  readonly uuid?: string;
  /** Every header as sent (variables as `variable_<name>`). */
  readonly headers: Readonly<Record<string, string>>;
  /** The event body (`_body`), e.g. a BACKGROUND_JOB's output. */
  readonly body?: string;
}

export interface EslConnectionEvents {
  /** An event the connection subscribed to (or, outbound, one of its channel's). */
  event: (event: EslEvent) => void;
  /** A `text/disconnect-notice` (outbound: linger or disconnect of the controlled channel). */
  notice: (disposition: 'linger' | 'disconnect', headers: Readonly<Record<string, string>>) => void;
  /** The socket is gone, for whatever reason; pending commands have been rejected. Fires once. */
  close: (reason: string) => void;
}

export interface EslConnection {
  readonly mode: 'inbound' | 'outbound';
  /** Outbound mode: the CHANNEL_DATA FreeSWITCH answered `connect` with. */
  readonly channelData?: EslEvent;
  readonly closed: boolean;
  /** `api <command> <args>`: the api/response body. Rejects VAPI_ERR_ESL_TIMEOUT / VAPI_ERR_ESL_CLOSED. */
  api(command: string, args?: string, timeoutMs?: number): Promise<string>;
  /**
   * `bgapi <command> <args>` with our own Job-UUID: resolves with the BACKGROUND_JOB body once
   * the job is done (e.g. `+OK <uuid>\n` or `-ERR USER_BUSY\n`). BACKGROUND_JOB must be subscribed.
   */
  bgapi(command: string, args?: string, options?: { jobId?: string; timeoutMs?: number }): Promise<string>;
  /** `event json <names...>` (CUSTOM subclasses after `CUSTOM`). Adds to earlier subscriptions. */
  subscribe(events: readonly string[]): Promise<void>;
  /** `sendmsg <uuid>` call-command execute; resolves with CHANNEL_EXECUTE_COMPLETE of that app. */
  execute(uuid: string, app: string, arg?: string, timeoutMs?: number): Promise<EslEvent>;
  /** A raw command with optional headers; resolves with the command/reply `Reply-Text`. */
  command(command: string, headers?: Readonly<Record<string, string>>, timeoutMs?: number): Promise<string>;
  on<E extends keyof EslConnectionEvents>(event: E, listener: EslConnectionEvents[E]): void;
  off<E extends keyof EslConnectionEvents>(event: E, listener: EslConnectionEvents[E]): void;
  /** Sends `exit` when possible and closes the socket; idempotent. */
  close(): Promise<void>;
}

export interface InboundEslOptions {
  host: string;
  port: number;
  password: string;
  /** TCP connect plus auth. */
  connectTimeoutMs?: number;
  /** Default timeout of api/command calls. */
  commandTimeoutMs?: number;
  /** A body that has not fully arrived after this long means the stream is out of sync: reset. */
  frameStallMs?: number;
}

export interface OutboundEslListenerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  commandTimeoutMs?: number;
  frameStallMs?: number;
}
