/**
 * Called number → assistant, for telephony transports (`coreRefs.numberRouter`). Store routes
 * (created through /v1/phone-numbers) are consulted first, config routes (`numbers:`) only for a
 * number no store route matches; within each, an exact number beats the longest prefix, which
 * beats `*`.
 *
 * Inbound calls arrive at hundreds per second, so the store's routes are held in memory and the
 * store is read again only when they change: the API's writes call `changed()`, which reloads on
 * this node and tells the other nodes over the bus (`numbers.changed`). A bus message can be
 * lost (Redis pub/sub keeps nothing while a node reconnects), so the copy is also refreshed once
 * it is `maxAgeMs` old.
 */
import { randomUUID } from 'node:crypto';
import {
  nationalNumber,
  type Bus,
  type Clock,
  type Logger,
  type NumberRoute,
  type NumberRouter,
  type Store,
  type Unsubscribe,
} from '@vapi-cn/sdk-plugin-api';
import { parseNumberPattern, type NumberPattern } from './number-pattern.js';
import { RouteTable } from './route-table.js';

export const NUMBERS_CHANGED_TOPIC = 'numbers.changed';

const DEFAULT_MAX_AGE_MS = 60_000;
/** After a failed reload, how long the last good copy serves before the store is tried again. */
const RETRY_AFTER_MS = 5_000;

export interface NumberRouterOptions {
  store: Store;
  bus: Bus;
  clock: Clock;
  log: Logger;
  /** Routes from the config file, already validated. */
  configRoutes: ReadonlyArray<{ pattern: NumberPattern; assistantId: string }>;
  maxAgeMs?: number;
}

interface StoreCopy {
  table: RouteTable;
  /** `clock.monotonic()` after which the copy is reloaded. */
  refreshAt: number;
  /** The invalidation count it was loaded under; a newer count makes it stale. */
  generation: number;
}

export class NumberRouterImpl implements NumberRouter {
  private readonly config: RouteTable;
  private readonly maxAgeMs: number;
  /** Tells this node's own bus messages from other nodes'. */
  private readonly node = randomUUID();
  private copy: StoreCopy | undefined;
  private generation = 0;
  private loading: { generation: number; promise: Promise<RouteTable> } | undefined;
  private unsubscribe: Unsubscribe | undefined;
  /** How many times the store's routes were read (tests check that calls do not read them). */
  loads = 0;

  constructor(private readonly options: NumberRouterOptions) {
    this.config = new RouteTable(options.configRoutes);
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  }

  /** Listens for other nodes' changes and loads the store's routes. */
  async start(): Promise<void> {
    this.unsubscribe = await this.options.bus.subscribe(NUMBERS_CHANGED_TOPIC, (message) => {
      if ((message as { origin?: unknown } | null)?.origin !== this.node) this.invalidate();
    });
    await this.storeTable();
  }

  async close(): Promise<void> {
    await this.unsubscribe?.().catch(() => {});
    this.unsubscribe = undefined;
  }

  async route(calledNumber: string): Promise<NumberRoute | undefined> {
    const national = nationalNumber(String(calledNumber ?? ''));
    const stored = (await this.storeTable()).match(national);
    if (stored) return { ...stored, source: 'store' };
    const configured = this.config.match(national);
    return configured && { ...configured, source: 'config' };
  }

  /** Drops this node's copy of the store's routes; the next route() reads them again. */
  invalidate(): void {
    this.generation++;
    this.copy = undefined;
  }

  /** After a write through the API: reload here, and tell the other nodes. */
  async changed(): Promise<void> {
    this.invalidate();
    await this.options.bus.publish(NUMBERS_CHANGED_TOPIC, { origin: this.node }).catch((error: unknown) => {
      this.options.log.warn({ err: error }, `number routes changed but other nodes were not told; they reload within ${this.maxAgeMs} ms`);
    });
  }

  private async storeTable(): Promise<RouteTable> {
    const copy = this.copy;
    const now = this.options.clock.monotonic();
    if (copy && copy.generation === this.generation && now < copy.refreshAt) return copy.table;
    try {
      return await this.load();
    } catch (error) {
      // A store outage must not stop calls the last good copy can still route.
      if (!copy) throw error;
      this.options.log.warn({ err: error, retryInMs: RETRY_AFTER_MS }, 'could not reload number routes; routing with the last copy');
      this.copy = { ...copy, refreshAt: now + RETRY_AFTER_MS };
      return copy.table;
    }
  }

  /** One read at a time per generation: a burst of calls after a change shares it. */
  private load(): Promise<RouteTable> {
    const generation = this.generation;
    if (this.loading?.generation === generation) return this.loading.promise;
    const promise = (async () => {
      this.loads++;
      const routes = await this.options.store.phoneNumbers.all();
      const table = new RouteTable(this.parse(routes));
      // Changed again while reading: serve this read, but do not keep it.
      if (generation === this.generation) {
        this.copy = { table, generation, refreshAt: this.options.clock.monotonic() + this.maxAgeMs };
      }
      return table;
    })().finally(() => {
      if (this.loading?.promise === promise) this.loading = undefined;
    });
    this.loading = { generation, promise };
    return promise;
  }

  private *parse(routes: ReadonlyArray<{ pattern: string; assistantId: string }>) {
    for (const route of routes) {
      try {
        yield { pattern: parseNumberPattern(route.pattern), assistantId: route.assistantId };
      } catch {
        // Written around the API (SQL by hand): skip it rather than fail every call.
        this.options.log.warn({ assistantId: route.assistantId }, 'skipping a stored number route whose pattern is not valid');
      }
    }
  }
}
