/**
 * One FreeSWITCH node, controlled over an inbound Event Socket connection that is kept up: a
 * dropped connection is re-dialled with exponential backoff (with jitter, so a fleet of servers
 * does not stampede a restarted FreeSWITCH), and every reconnect is announced so the transport
 * can re-attach to calls still up. Commands issued while the connection is down wait for it
 * (up to `commandTimeoutMs`) instead of failing at once: a blip of the control socket does not
 * lose a call's next bot audio chunk.
 */
import { isVapiError, VapiError, type Clock, type Logger, type TimerHandle } from '@vapi-cn/sdk-plugin-api';
import { connectInbound } from './esl/index.js';
import type { EslConnection, EslEvent } from './esl/types.js';

export interface NodeSettings {
  name: string;
  host: string;
  port: number;
  password: string;
}

export interface NodeOptions {
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  reconnect: { initialDelayMs: number; maxDelayMs: number };
  /** Event names (and `CUSTOM <subclass...>`) to subscribe to. */
  events: readonly string[];
  clock: Clock;
  log: Logger;
  onEvent(node: FreeswitchNode, event: EslEvent): void;
  /** The connection is (again) up and subscribed; `reconnected` is false the first time. */
  onConnected(node: FreeswitchNode, reconnected: boolean): void;
}

export class FreeswitchNode {
  readonly name: string;
  private connection: EslConnection | undefined;
  private waiters: Array<{ resolve(connection: EslConnection): void; reject(error: Error): void }> = [];
  private retryTimer: TimerHandle | undefined;
  private attempt = 0;
  private everConnected = false;
  private stopped = false;
  /** Calls this node carries (the transport keeps the count for least-loaded dialling). */
  activeCalls = 0;

  constructor(
    readonly settings: NodeSettings,
    private readonly options: NodeOptions,
  ) {
    this.name = settings.name;
  }

  get connected(): boolean {
    return this.connection !== undefined && !this.connection.closed;
  }

  /**
   * First connection. A wrong password fails the start (it will not fix itself); a node that is
   * not reachable yet is retried in the background, since FreeSWITCH may come up after us.
   */
  async start(): Promise<void> {
    try {
      await this.connect();
    } catch (error) {
      if (isVapiError(error) && error.category === 'auth') throw error;
      this.options.log.warn({ err: error, node: this.name }, 'FreeSWITCH not reachable yet: retrying in the background');
      this.scheduleReconnect();
    }
  }

  async api(command: string, args: string): Promise<string> {
    return (await this.ready()).api(command, args, this.options.commandTimeoutMs);
  }

  async bgapi(command: string, args: string, options: { jobId?: string; timeoutMs?: number }): Promise<string> {
    return (await this.ready()).bgapi(command, args, options);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) this.options.clock.clearTimeout(this.retryTimer);
    this.failWaiters(new VapiError(`FreeSWITCH node ${this.name} is shutting down`, { code: 'VAPI_ERR_ESL_CLOSED', category: 'connectivity' }));
    await this.connection?.close();
  }

  /** Drops the current connection (tests, and an operator's "reconnect now"). */
  async resetConnection(): Promise<void> {
    await this.connection?.close();
  }

  private ready(): Promise<EslConnection> {
    if (this.connection && !this.connection.closed) return Promise.resolve(this.connection);
    if (this.stopped) return Promise.reject(new VapiError(`FreeSWITCH node ${this.name} is stopped`, { code: 'VAPI_ERR_ESL_CLOSED', category: 'connectivity' }));
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      this.waiters.push(waiter);
      const timer = this.options.clock.setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new VapiError(`no Event Socket connection to FreeSWITCH node ${this.name} within ${this.options.commandTimeoutMs} ms`, {
          code: 'VAPI_ERR_ESL_TIMEOUT',
          category: 'timeout',
          retryable: true,
          fix: `check that FreeSWITCH runs at ${this.settings.host}:${this.settings.port} and its event socket accepts the password`,
        }));
      }, this.options.commandTimeoutMs);
      waiter.resolve = (connection) => {
        this.options.clock.clearTimeout(timer);
        resolve(connection);
      };
    });
  }

  private async connect(): Promise<void> {
    const { settings, options } = this;
    const connection = await connectInbound(
      { host: settings.host, port: settings.port, password: settings.password, connectTimeoutMs: options.connectTimeoutMs, commandTimeoutMs: options.commandTimeoutMs },
      options.log,
    );
    if (this.stopped) {
      await connection.close();
      return;
    }
    connection.on('event', (event) => options.onEvent(this, event));
    connection.on('close', (reason) => this.onClose(connection, reason));
    await connection.subscribe(options.events);
    // modesl subscribes CHANNEL_EXECUTE_COMPLETE for its execute(); this connection never executes,
    // and every uuid_broadcast would bring one ~5 KB event back: most of the socket's traffic.
    await connection.command('nixevent CHANNEL_EXECUTE_COMPLETE');
    this.connection = connection;
    this.attempt = 0;
    const reconnected = this.everConnected;
    this.everConnected = true;
    options.log.info({ node: this.name, reconnected }, 'Event Socket connected');
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.resolve(connection);
    options.onConnected(this, reconnected);
  }

  private onClose(connection: EslConnection, reason: string): void {
    if (this.connection !== connection) return;
    this.connection = undefined;
    if (this.stopped) return;
    this.options.log.warn({ node: this.name, reason }, 'Event Socket connection lost: reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retryTimer) return;
    const { initialDelayMs, maxDelayMs } = this.options.reconnect;
    const base = Math.min(maxDelayMs, initialDelayMs * 2 ** this.attempt++);
    const delay = base / 2 + Math.random() * (base / 2);
    this.retryTimer = this.options.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.connect().catch((error: Error) => {
        this.options.log.warn({ err: error, node: this.name, attempt: this.attempt }, 'Event Socket reconnect failed');
        this.scheduleReconnect();
      });
    }, delay);
  }

  private failWaiters(error: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }
}
