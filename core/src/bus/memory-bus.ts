/**
 * The in-process bus (single node). It behaves like the Redis bus: messages are JSON round-tripped
 * and arrive asynchronously, after publish() has returned, so code tested here works on Redis.
 */
import type { Bus, BusHandler, Logger, Unsubscribe } from '@vapi-cn/sdk-plugin-api';
import { assertTopic, busClosedError } from './bus-errors.js';
import { deliver } from './deliver.js';
import { encodeMessage } from './encode-message.js';
import { topicMatcher } from './topic-pattern.js';

interface Subscription {
  matches: (topic: string) => boolean;
  handler: BusHandler;
}

export class MemoryBus implements Bus {
  readonly driver = 'memory';
  readonly #subscriptions = new Set<Subscription>();
  #closed = false;

  constructor(private readonly log: Logger) {}

  async publish(topic: string, message: unknown): Promise<void> {
    if (this.#closed) throw busClosedError();
    assertTopic('topic', topic);
    const encoded = encodeMessage(topic, message);
    for (const subscription of this.#subscriptions) {
      if (!subscription.matches(topic)) continue;
      setImmediate(() => {
        // Skipped if unsubscribed (or closed) in the meantime; each handler gets its own copy.
        if (this.#subscriptions.has(subscription)) deliver(subscription.handler, JSON.parse(encoded), topic, this.log);
      });
    }
  }

  async subscribe(pattern: string, handler: BusHandler): Promise<Unsubscribe> {
    if (this.#closed) throw busClosedError();
    assertTopic('pattern', pattern);
    const subscription: Subscription = { matches: topicMatcher(pattern), handler };
    this.#subscriptions.add(subscription);
    return async () => {
      this.#subscriptions.delete(subscription);
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#subscriptions.clear();
  }
}
