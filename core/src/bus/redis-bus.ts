/**
 * The bus across nodes, over Redis pub/sub. Publishing and subscribing use separate connections
 * because a connection in subscriber mode can send nothing else. Every channel starts with the
 * configured prefix, so several deployments can share one Redis.
 */
import { Redis } from 'ioredis';
import { VapiError, type Bus, type BusHandler, type Logger, type Unsubscribe } from '@vapi-cn/sdk-plugin-api';
import { assertTopic, busClosedError } from './bus-errors.js';
import { deliver } from './deliver.js';
import { encodeMessage } from './encode-message.js';
import { escapeRedisGlob, isPattern, toRedisGlob } from './topic-pattern.js';

export interface RedisBusOptions {
  /** `redis://[:password@]host:port[/db]`, or `rediss://` for TLS. */
  url: string;
  /**
   * Prepended to every channel name, e.g. `vapi-cn.`. Deployments sharing one Redis need prefixes
   * of which neither starts with the other: a pattern under `a.` would also match `a.b.` channels.
   */
  prefix: string;
  log: Logger;
  /** How long to wait for each connection at startup. Default 10 s. */
  connectTimeoutMs?: number;
}

interface Subscription {
  handler: BusHandler;
}

/** One Redis SUBSCRIBE or PSUBSCRIBE, shared by every handler of the same pattern on this node. */
interface Channel {
  subscriptions: Set<Subscription>;
  /** Settles when Redis has confirmed the subscription. */
  ready: Promise<unknown>;
}

// Channel map keys: the Redis channel or glob, marked by kind since both live in one map.
const EXACT = 's:';
const GLOB = 'p:';

/** `host:port` from the URL, never the password, for messages and logs. */
function describeRedisUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw new VapiError('bus.url is not a valid URL', {
      code: 'VAPI_ERR_BUS_URL',
      category: 'invalid_request',
      cause: err,
      fix: 'Use the form redis://[:password@]host:6379[/db].',
    });
  }
  return `${parsed.hostname || 'localhost'}:${parsed.port || 6379}`;
}

function connectError(err: unknown, where: string): VapiError {
  const reason = err instanceof Error ? err.message : String(err);
  if (/NOAUTH|WRONGPASS|invalid password/i.test(reason)) {
    return new VapiError(`Redis at ${where} refused the credentials: ${reason}`, {
      code: 'VAPI_ERR_BUS_AUTH',
      category: 'auth',
      cause: err,
      fix: 'Check the user and password in bus.url.',
    });
  }
  return new VapiError(`Cannot connect to Redis at ${where}: ${reason}`, {
    code: 'VAPI_ERR_BUS_UNREACHABLE',
    category: 'connectivity',
    cause: err,
    fix: `Check that Redis is running and reachable at ${where} and that bus.url is right, or use bus.driver: memory on a single node.`,
  });
}

/** A connected client, or a VapiError. Once connected, it reconnects on its own after drops. */
async function connectRedis(url: string, where: string, log: Logger, connectTimeoutMs: number): Promise<Redis> {
  let connected = false;
  let lastError: unknown;
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    // Fail fast at startup, where a wrong URL should stop the server; after that, keep retrying.
    retryStrategy: (attempt) => (connected ? Math.min(attempt * 200, 2_000) : null),
  });
  redis.on('error', (err) => {
    if (connected) log.warn({ err, redis: where }, 'Redis connection error');
    else lastError = err;
  });
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    // connect() only says "Connection is closed."; the 'error' event has the reason.
    throw connectError(lastError ?? err, where);
  }
  connected = true;
  return redis;
}

function closeRedis(redis: Redis): Promise<void> {
  // QUIT needs a live connection; otherwise it would wait in the offline queue.
  if (redis.status !== 'ready') {
    redis.disconnect();
    return Promise.resolve();
  }
  return redis.quit().then(
    () => undefined,
    () => redis.disconnect(),
  );
}

export class RedisBus implements Bus {
  readonly driver = 'redis';
  readonly #channels = new Map<string, Channel>();
  #closing: Promise<void> | undefined;

  private constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly prefix: string,
    /** `host:port` of the Redis server, for logs. */
    readonly where: string,
    private readonly log: Logger,
  ) {
    subscriber.on('message', (channel: string, text: string) => this.#dispatch(EXACT + channel, channel, text));
    subscriber.on('pmessage', (glob: string, channel: string, text: string) => this.#dispatch(GLOB + glob, channel, text));
  }

  static async connect(options: RedisBusOptions): Promise<RedisBus> {
    const where = describeRedisUrl(options.url);
    const timeout = options.connectTimeoutMs ?? 10_000;
    const results = await Promise.allSettled([
      connectRedis(options.url, where, options.log, timeout),
      connectRedis(options.url, where, options.log, timeout),
    ]);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) {
      for (const r of results) if (r.status === 'fulfilled') r.value.disconnect();
      throw failed.reason;
    }
    const [publisher, subscriber] = results.map((r) => (r as PromiseFulfilledResult<Redis>).value);
    return new RedisBus(publisher!, subscriber!, options.prefix, where, options.log);
  }

  async publish(topic: string, message: unknown): Promise<void> {
    if (this.#closing) throw busClosedError();
    assertTopic('topic', topic);
    const encoded = encodeMessage(topic, message);
    try {
      await this.publisher.publish(this.prefix + topic, encoded);
    } catch (err) {
      throw new VapiError(`Cannot publish to Redis at ${this.where}: ${err instanceof Error ? err.message : String(err)}`, {
        code: 'VAPI_ERR_BUS_PUBLISH',
        category: 'connectivity',
        cause: err,
        details: { topic },
      });
    }
  }

  async subscribe(pattern: string, handler: BusHandler): Promise<Unsubscribe> {
    if (this.#closing) throw busClosedError();
    assertTopic('pattern', pattern);
    // Plain topics use SUBSCRIBE, which Redis matches more cheaply than a glob.
    const key = isPattern(pattern)
      ? GLOB + escapeRedisGlob(this.prefix) + toRedisGlob(pattern)
      : EXACT + this.prefix + pattern;
    let channel = this.#channels.get(key);
    if (!channel) {
      const name = key.slice(2);
      channel = { subscriptions: new Set(), ready: key.startsWith(GLOB) ? this.subscriber.psubscribe(name) : this.subscriber.subscribe(name) };
      this.#channels.set(key, channel);
    }
    const subscription: Subscription = { handler };
    channel.subscriptions.add(subscription);
    try {
      await channel.ready;
    } catch (err) {
      this.#detach(key, channel, subscription);
      throw new VapiError(`Cannot subscribe on Redis at ${this.where}: ${err instanceof Error ? err.message : String(err)}`, {
        code: 'VAPI_ERR_BUS_SUBSCRIBE',
        category: 'connectivity',
        cause: err,
        details: { pattern },
      });
    }
    const subscribed = channel;
    return async () => {
      if (!this.#detach(key, subscribed, subscription) || this.#closing) return;
      const name = key.slice(2);
      try {
        await (key.startsWith(GLOB) ? this.subscriber.punsubscribe(name) : this.subscriber.unsubscribe(name));
      } catch (err) {
        // The handler is already detached here; a stale Redis subscription only costs traffic.
        this.log.warn({ err, pattern }, 'could not unsubscribe on Redis');
      }
    };
  }

  /** Idempotent; later publish/subscribe calls fail with VAPI_ERR_BUS_CLOSED. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#channels.clear();
      await Promise.all([closeRedis(this.publisher), closeRedis(this.subscriber)]);
    })();
    return this.#closing;
  }

  /** Removes a handler; true when it was the channel's last one, so Redis should stop sending. */
  #detach(key: string, channel: Channel, subscription: Subscription): boolean {
    if (!channel.subscriptions.delete(subscription) || channel.subscriptions.size > 0) return false;
    if (this.#channels.get(key) !== channel) return false;
    this.#channels.delete(key);
    return true;
  }

  #dispatch(key: string, channel: string, text: string): void {
    const subscriptions = this.#channels.get(key)?.subscriptions;
    if (!subscriptions || subscriptions.size === 0) return;
    const topic = channel.slice(this.prefix.length);
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch (err) {
      this.log.warn({ err, topic }, 'dropped a bus message that is not JSON');
      return;
    }
    let first = true;
    for (const { handler } of subscriptions) {
      // Each handler gets its own copy, so one cannot change what another sees.
      deliver(handler, first ? message : JSON.parse(text), topic, this.log);
      first = false;
    }
  }
}
