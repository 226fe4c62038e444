/**
 * Typed dependency references. A plugin says what it needs (`requires`) and what it fills
 * (`provides`) with refs; the kernel wires them and refuses to boot when a required ref has no
 * provider. Refs are identified by a global Symbol derived from their id, so two copies of the SDK
 * (a vendor package that bundles its own) still agree on every ref.
 */
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { Store } from './store.js';
import type { Bus } from './bus.js';
import type { Clock } from './clock.js';
import type { HttpRoutes } from './http.js';
import type { CallManager } from './calls.js';
import type { ServerConfig } from './server-config.js';
import type { NumberRouter } from './number-routing.js';

/** A single value: exactly one plugin provides it. */
export interface Ref<T> {
  readonly kind: 'single';
  readonly id: string;
  readonly token: symbol;
  /** Phantom field carrying the type; never set. */
  readonly __type?: T;
}

/**
 * A named collection: any number of plugins each add entries under their own key, e.g. STT
 * provider factories keyed by vendor name. Requiring it yields a `Registry<T>`.
 */
export interface CollectionRef<T> {
  readonly kind: 'collection';
  readonly id: string;
  readonly token: symbol;
  readonly __type?: T;
}

export type AnyRef = Ref<unknown> | CollectionRef<unknown>;

/** Read-only view of a collection ref's entries. */
export interface Registry<T> {
  get(key: string): T | undefined;
  has(key: string): boolean;
  keys(): string[];
  entries(): Array<[string, T]>;
  /** Which plugin added an entry (for error messages and `vapi-cn plugins`). */
  providerOf(key: string): string | undefined;
}

const ID_PATTERN = /^[a-z][a-z0-9]*([.-][a-z0-9]+)*$/;

function tokenFor(kind: string, id: string): symbol {
  if (!ID_PATTERN.test(id)) {
    throw new TypeError(`ref id must be lower-case words joined by '-' or '.', got '${id}'`);
  }
  return Symbol.for(`vapi-cn.ref.${kind}:${id}`);
}

/** Creates a ref to a single value of type T. Use a namespaced id: `acme.translator`. */
export function createRef<T>(id: string): Ref<T> {
  return Object.freeze({ kind: 'single', id, token: tokenFor('single', id) }) as Ref<T>;
}

/** Creates a ref to a keyed collection of T (e.g. provider factories). */
export function createCollectionRef<T>(id: string): CollectionRef<T> {
  return Object.freeze({ kind: 'collection', id, token: tokenFor('collection', id) }) as CollectionRef<T>;
}

/** Services the server itself provides to every plugin. */
export const coreRefs = {
  /** Root logger; plugins also get their own child as `ctx.log`. */
  logger: createRef<Logger>('core.logger'),
  /** The validated server-level config (not plugin options; those come to setup()). */
  config: createRef<ServerConfig>('core.config'),
  /** Prometheus metrics, served at /metrics. */
  metrics: createRef<Metrics>('core.metrics'),
  /** Persistent store: assistants, calls, call events, API keys, number routes. */
  store: createRef<Store>('core.store'),
  /** Publish/subscribe between plugins, and between nodes when Redis is configured. */
  bus: createRef<Bus>('core.bus'),
  /** Wall and monotonic time plus timers; a virtual clock replaces it in tests. */
  clock: createRef<Clock>('core.clock'),
  /** HTTP and WebSocket routes on the server's port. */
  http: createRef<HttpRoutes>('core.http'),
  /** Opens and ends calls; each call gets its own scope (child container) and logger. */
  calls: createRef<CallManager>('core.calls'),
  /** Called number → assistant, for telephony transports. */
  numberRouter: createRef<NumberRouter>('core.number-router'),
} as const;
