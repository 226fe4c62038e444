/**
 * The client tool calls of one call that wait for the client's result. A wait ends exactly once:
 * with the client's result, at its timeout, or cancelled (the reply was interrupted, the call
 * ended). A result for a call that is not waiting is told apart from one that came too late, so
 * the client hears which mistake it made.
 */
import type { Clock, TimerHandle } from '@vapi-cn/sdk-plugin-api';

export type ClientAnswer = { status: 'answered'; result: unknown } | { status: 'timeout' } | { status: 'cancelled' };

/** What became of a result the client sent. */
export type Delivery = 'delivered' | 'late' | 'unknown';

interface Waiting {
  name: string;
  settle(answer: ClientAnswer): void;
}

/** Ids of calls that stopped waiting, kept so a late result is named as such; older ones are forgotten. */
const SETTLED_KEPT = 64;

export class ClientToolCalls {
  private readonly waiting = new Map<string, Waiting>();
  private readonly settled = new Set<string>();

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.waiting.size;
  }

  /**
   * Waits for the client's result of tool call `callId`. Register before asking the client, so
   * an answer cannot arrive first. Never rejects.
   */
  wait(callId: string, name: string, timeoutMs: number, signal: AbortSignal): Promise<ClientAnswer> {
    if (signal.aborted) return Promise.resolve({ status: 'cancelled' });
    // A model that reuses an id replaces the earlier wait, which is cancelled.
    this.waiting.get(callId)?.settle({ status: 'cancelled' });
    return new Promise<ClientAnswer>((resolve) => {
      let timer: TimerHandle | undefined;
      const onAbort = () => waiting.settle({ status: 'cancelled' });
      const waiting: Waiting = {
        name,
        settle: (answer) => {
          if (this.waiting.get(callId) !== waiting) return;
          this.waiting.delete(callId);
          this.remember(callId);
          if (timer !== undefined) this.clock.clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          resolve(answer);
        },
      };
      this.waiting.set(callId, waiting);
      timer = this.clock.setTimeout(() => waiting.settle({ status: 'timeout' }), timeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The client's result for `callId`. */
  deliver(callId: string, result: unknown): Delivery {
    const waiting = this.waiting.get(callId);
    if (waiting) {
      waiting.settle({ status: 'answered', result });
      return 'delivered';
    }
    return this.settled.has(callId) ? 'late' : 'unknown';
  }

  /** Cancels every wait (the call ends); returns the calls that were waiting. */
  cancelAll(): Array<{ callId: string; name: string }> {
    const cancelled = [...this.waiting].map(([callId, waiting]) => ({ callId, name: waiting.name }));
    for (const [, waiting] of [...this.waiting]) waiting.settle({ status: 'cancelled' });
    return cancelled;
  }

  private remember(callId: string): void {
    this.settled.add(callId);
    if (this.settled.size > SETTLED_KEPT) this.settled.delete(this.settled.values().next().value!);
  }
}
