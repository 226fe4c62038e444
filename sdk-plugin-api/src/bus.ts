/**
 * Publish/subscribe messaging. In-process by default; with `bus.driver: redis` messages cross
 * nodes, so keep them JSON-serialisable (they are always JSON round-tripped, on both drivers, so a
 * test on the in-process bus sees what Redis would deliver).
 *
 * Topics are dot-separated words, e.g. `calls.started`. A subscription pattern may use `*` to
 * match any run of characters (`calls.*`), as Redis PSUBSCRIBE does.
 */
export type BusHandler = (message: unknown, topic: string) => void | Promise<void>;

export type Unsubscribe = () => Promise<void>;

export interface Bus {
  readonly driver: 'memory' | 'redis';
  publish(topic: string, message: unknown): Promise<void>;
  subscribe(pattern: string, handler: BusHandler): Promise<Unsubscribe>;
  /** Closes connections; further publish/subscribe calls fail. Idempotent. */
  close(): Promise<void>;
}
