/**
 * Handle-leak detection for conformance cases: counts `process.getActiveResourcesInfo()` by type
 * before and after a case. The suite's own timers never count: deadlines are cleared and the
 * polling sleep has fired by the time it samples. Unref'd handles are not listed by Node, so
 * they are not counted either.
 */
import { AssertionError } from 'node:assert/strict';
import { delay } from './deadline.js';

export interface LeakCheckOptions {
  /**
   * Called before handles are counted (before and after the sessions), e.g.
   * `() => server.closeIdleConnections()`, so that your fake vendor server's keep-alive sockets
   * are not taken for the provider's leaks.
   */
  settle?(): void | Promise<void>;
  /** Resource types not to count (names as in `process.getActiveResourcesInfo()`). */
  ignore?: readonly string[];
  /** How long handles may take to close after the sessions end; default 500 ms. */
  waitMs?: number;
}

export type ResourceCounts = ReadonlyMap<string, number>;

/**
 * The counts to compare against after a case: taken after `settle()` and once nothing is closing
 * any more, because handles still closing from earlier cases would otherwise hide new ones.
 */
export async function baselineResources(options: LeakCheckOptions = {}): Promise<ResourceCounts> {
  await options.settle?.();
  const waitMs = options.waitMs ?? 500;
  const started = Date.now();
  let counts = activeResources();
  while (Date.now() - started < waitMs) {
    await delay(10);
    const next = activeResources();
    if (same(counts, next)) break;
    counts = next;
  }
  return counts;
}

/** Throws an AssertionError if, after `waitMs`, more resources of some type are active than in `before`. */
export async function assertNoLeakedResources(before: ResourceCounts, options: LeakCheckOptions = {}): Promise<void> {
  await options.settle?.();
  const ignore = new Set(options.ignore ?? []);
  const waitMs = options.waitMs ?? 500;
  const started = Date.now();
  for (;;) {
    const leaked = [...activeResources()]
      .filter(([type, count]) => !ignore.has(type) && count > (before.get(type) ?? 0))
      .map(([type, count]) => `${type} +${count - (before.get(type) ?? 0)}`);
    if (leaked.length === 0) return;
    if (Date.now() - started >= waitMs) {
      throw new AssertionError({ message: `handles left open ${waitMs} ms after the sessions ended: ${leaked.join(', ')}` });
    }
    await delay(10);
  }
}

/** Active handles and requests of the process, counted by type. */
function activeResources(): ResourceCounts {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

function same(a: ResourceCounts, b: ResourceCounts): boolean {
  return a.size === b.size && [...a].every(([type, count]) => b.get(type) === count);
}
