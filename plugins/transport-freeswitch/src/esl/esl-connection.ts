/**
 * An EslConnection over modesl, reading through an EslFrameGuard. modesl does the command side
 * (auth, `connect`, FIFO pairing of replies with commands); events and notices come typed from
 * the guard. Every command settles: with its reply, on its timeout, or when the connection closes.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Logger, VapiError } from '@vapi-cn/sdk-plugin-api';
import { badCommandError, channelGoneError, closedError, commandFailedError, timeoutError } from './esl-errors.js';
import type { EslFrameGuard } from './esl-frame-guard.js';
import type { EslFrame } from './esl-frame-reader.js';
import type { ModeslConnection, ModeslEvent } from './modesl.js';
import type { EslConnection, EslConnectionEvents, EslEvent } from './types.js';

export const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;
/** A bgapi job (an originate that rings) can take long; its promise still settles. */
export const DEFAULT_BGAPI_TIMEOUT_MS = 120_000;
/** After `exit`, how long FreeSWITCH gets to close before the socket is destroyed. */
export const CLOSE_GRACE_MS = 1000;

/** An event name token: `event json` takes names separated by spaces. */
const EVENT_NAME = /^\S+$/;
/** Events after which a channel runs no more applications. */
const CHANNEL_GONE_EVENTS: ReadonlySet<string> = new Set(['CHANNEL_HANGUP_COMPLETE', 'CHANNEL_DESTROY']);

export interface ModeslEslConnectionInit {
  mode: 'inbound' | 'outbound';
  modesl: ModeslConnection;
  guard: EslFrameGuard;
  log: Logger;
  commandTimeoutMs?: number;
}

/** A command waiting for its answer. */
interface Pending {
  readonly what: string;
  fail(error: VapiError): void;
}

interface Execution {
  readonly uuid: string;
  readonly what: string;
  done(event: EslEvent): void;
  fail(error: VapiError): void;
}

export class ModeslEslConnection implements EslConnection {
  readonly mode: 'inbound' | 'outbound';
  readonly modesl: ModeslConnection;
  readonly guard: EslFrameGuard;
  channelData: EslEvent | undefined;
  /** Why the connection closed, once it has. */
  closeReason: string | undefined;
  private readonly log: Logger;
  private readonly commandTimeoutMs: number;
  private readonly listeners = new EventEmitter();
  private readonly pending = new Set<Pending>();
  /** bgapi jobs by Job-UUID, executions by Event-UUID (FreeSWITCH's Application-UUID). */
  private readonly jobs = new Map<string, (body: string) => void>();
  private readonly executions = new Map<string, Execution>();
  private state: 'open' | 'closing' | 'closed' = 'open';
  private localReason: string | undefined;
  private sawDisconnectNotice = false;
  private readonly finished: Promise<void>;
  private markFinished!: () => void;

  constructor(init: ModeslEslConnectionInit) {
    this.mode = init.mode;
    this.modesl = init.modesl;
    this.guard = init.guard;
    this.log = init.log;
    this.commandTimeoutMs = init.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    this.finished = new Promise((resolve) => (this.markFinished = resolve));
    // EventEmitter2 throws an 'error' nobody listens to: socket errors (inbound), writes after end.
    this.modesl.on('error', (err: Error) => this.log.debug({ err: err?.message }, 'modesl error'));
    this.guard.on('frame', this.onFrame);
    this.guard.once('close', () => this.finish());
  }

  get closed(): boolean {
    return this.state !== 'open';
  }

  api(command: string, args = '', timeoutMs = this.commandTimeoutMs): Promise<string> {
    const what = `api ${command}`;
    return this.request<string>(what, timeoutMs, [command, args], (done) => {
      this.modesl.api(command, args, (reply) => done(reply.getBody() ?? ''));
    });
  }

  bgapi(command: string, args = '', options: { jobId?: string; timeoutMs?: number } = {}): Promise<string> {
    const what = `bgapi ${command}`;
    const jobId = options.jobId ?? randomUUID();
    if (this.jobs.has(jobId)) return Promise.reject(badCommandError(what, `job ${jobId} is already running`));
    return this.request<string>(
      what,
      options.timeoutMs ?? DEFAULT_BGAPI_TIMEOUT_MS,
      [command, args, jobId],
      (done, fail) => {
        this.jobs.set(jobId, done);
        this.modesl.sendRecv(`bgapi ${command}${args ? ` ${args}` : ''}`, { 'Job-UUID': jobId }, (reply) => {
          const text = replyText(reply);
          // No BACKGROUND_JOB follows a refusal (e.g. an outbound socket without `full`).
          if (!text.startsWith('+OK')) fail(commandFailedError(what, text));
        });
      },
      () => this.jobs.delete(jobId),
    );
  }

  subscribe(events: readonly string[]): Promise<void> {
    const what = 'event json';
    if (events.length === 0) return Promise.reject(badCommandError(what, 'no event names given'));
    if (!events.every((name) => EVENT_NAME.test(name))) return Promise.reject(badCommandError(what, 'an event name is empty or has white space'));
    return this.request<void>(what, this.commandTimeoutMs, [], (done, fail) => {
      this.modesl.sendRecv(`event json ${events.join(' ')}`, null, (reply) => {
        const text = replyText(reply);
        if (text.startsWith('+OK')) done();
        else fail(commandFailedError(what, text));
      });
    });
  }

  execute(uuid: string, app: string, arg?: string, timeoutMs?: number): Promise<EslEvent> {
    const what = `execute ${app}`;
    const eventUuid = randomUUID();
    const headers: Record<string, string> = { 'call-command': 'execute', 'execute-app-name': app };
    if (arg) headers['execute-app-arg'] = arg;
    // The channel runs it to its end before taking its next message (as in the recorded sessions).
    headers['event-lock'] = 'true';
    // Comes back as Application-UUID on the CHANNEL_EXECUTE_COMPLETE of this very execution.
    headers['Event-UUID'] = eventUuid;
    const channel = uuid || this.channelData?.uuid || '';
    return this.request<EslEvent>(
      what,
      timeoutMs ?? 0,
      [uuid, app, ...Object.values(headers)],
      (done, fail) => {
        this.executions.set(eventUuid, { uuid: channel, what, done, fail });
        this.modesl.sendRecv(uuid ? `sendmsg ${uuid}` : 'sendmsg', headers, (reply) => {
          const text = replyText(reply);
          if (!text.startsWith('+OK')) fail(commandFailedError(what, text));
        });
      },
      () => this.executions.delete(eventUuid),
    );
  }

  command(command: string, headers: Readonly<Record<string, string>> = {}, timeoutMs = this.commandTimeoutMs): Promise<string> {
    const what = command.split(' ', 1)[0] ?? command;
    return this.request<string>(what, timeoutMs, [command, ...Object.keys(headers), ...Object.values(headers)], (done) => {
      this.modesl.sendRecv(command, headers, (reply) => done(replyText(reply)));
    });
  }

  on<E extends keyof EslConnectionEvents>(event: E, listener: EslConnectionEvents[E]): void {
    this.listeners.on(event, listener);
  }

  off<E extends keyof EslConnectionEvents>(event: E, listener: EslConnectionEvents[E]): void {
    this.listeners.off(event, listener);
  }

  /** Sends `exit` and ends the socket; destroys it if FreeSWITCH has not closed after CLOSE_GRACE_MS. */
  close(): Promise<void> {
    if (this.state === 'open') {
      this.state = 'closing';
      this.localReason = 'closed by the application';
      this.failPending(this.localReason);
      try {
        this.modesl.disconnect();
      } catch (err) {
        this.log.debug({ err: (err as Error).message }, 'ESL: exit could not be sent');
      }
      const grace = setTimeout(() => this.guard.destroy(), CLOSE_GRACE_MS);
      void this.finished.then(() => clearTimeout(grace));
    }
    return this.finished;
  }

  /** Closes at once, without `exit` (a failed handshake, a fatal condition). */
  abort(reason: string): void {
    if (this.state === 'closed') return;
    this.localReason ??= reason;
    this.state = 'closing';
    this.failPending(this.localReason);
    this.guard.destroy();
  }

  /** Settles once the connection has closed. */
  whenClosed(): Promise<void> {
    return this.finished;
  }

  private request<T>(
    what: string,
    timeoutMs: number,
    lines: readonly string[],
    start: (done: (value: T) => void, fail: (error: VapiError) => void) => void,
    cleanup?: () => void,
  ): Promise<T> {
    if (this.state !== 'open') return Promise.reject(closedError(what, this.closeReason ?? this.localReason ?? 'closing'));
    // A line break would end the command early and let the rest through as another command,
    // after which every reply would be paired with the wrong command.
    if (lines.some((line) => line.includes('\n') || line.includes('\r'))) return Promise.reject(badCommandError(what, 'it contains a line break'));
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const settle = (): boolean => {
        if (!this.pending.delete(entry)) return false;
        if (timer) clearTimeout(timer);
        cleanup?.();
        return true;
      };
      const entry: Pending = {
        what,
        fail: (error) => {
          if (settle()) reject(error);
        },
      };
      this.pending.add(entry);
      // On timeout modesl keeps its queue slot; the late reply lands on this settled entry, so
      // later replies still pair with the right commands.
      if (timeoutMs > 0) timer = setTimeout(() => entry.fail(timeoutError(what, timeoutMs)), timeoutMs);
      try {
        start((value) => {
          if (settle()) resolve(value);
        }, entry.fail);
      } catch (err) {
        entry.fail(closedError(what, `the command could not be written: ${(err as Error).message}`));
      }
    });
  }

  private readonly onFrame = (frame: EslFrame): void => {
    if (this.state !== 'open') return;
    if (frame.event) this.onEvent(frame.event);
    else if (frame.contentType === 'text/disconnect-notice') this.onNotice(frame);
  };

  private onEvent(event: EslEvent): void {
    if (event.name === 'BACKGROUND_JOB') {
      const jobId = event.headers['Job-UUID'];
      if (jobId !== undefined) this.jobs.get(jobId)?.(event.body ?? '');
    } else if (event.name === 'CHANNEL_EXECUTE_COMPLETE') {
      const applicationUuid = event.headers['Application-UUID'];
      if (applicationUuid !== undefined) this.executions.get(applicationUuid)?.done(event);
    } else if (CHANNEL_GONE_EVENTS.has(event.name) && event.uuid && this.executions.size > 0) {
      // Applications queued behind a hangup never run: nothing else would settle them.
      for (const execution of [...this.executions.values()]) {
        if (execution.uuid === event.uuid) execution.fail(channelGoneError(execution.what, event.uuid));
      }
    }
    this.emit('event', event);
  }

  private onNotice(frame: EslFrame): void {
    const disposition = frame.headers['Content-Disposition'] === 'linger' ? 'linger' : 'disconnect';
    if (disposition === 'disconnect') this.sawDisconnectNotice = true;
    this.emit('notice', disposition, frame.headers);
  }

  private failPending(reason: string): void {
    for (const entry of [...this.pending]) entry.fail(closedError(entry.what, reason));
  }

  private finish(): void {
    if (this.state === 'closed') return;
    let reason = this.localReason ?? this.guard.closeReason;
    if (!this.localReason && !this.guard.fault && this.sawDisconnectNotice) reason += ' after a disconnect notice';
    this.state = 'closed';
    this.closeReason = reason;
    this.failPending(reason);
    this.log.debug({ reason }, 'ESL connection closed');
    this.emit('close', reason);
    this.markFinished();
  }

  /** Calls each listener; one that throws is logged, and never reaches the socket's data handler. */
  private emit(event: keyof EslConnectionEvents, ...args: unknown[]): void {
    if (this.listeners.listenerCount(event) === 0) return;
    for (const listener of this.listeners.listeners(event)) {
      try {
        (listener as (...a: unknown[]) => void)(...args);
      } catch (err) {
        this.log.error({ err, event }, 'an Event Socket listener threw');
      }
    }
  }
}

function replyText(reply: ModeslEvent): string {
  return reply.getHeader('Reply-Text') ?? '';
}
