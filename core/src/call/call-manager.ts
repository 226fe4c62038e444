/**
 * Opens calls and tracks the ones in progress, so shutdown can drain them: while draining, new
 * calls are refused and `drain()` waits for the active ones (up to a timeout), then ends the rest.
 */
import { randomUUID } from 'node:crypto';
import {
  VapiError,
  type Bus,
  type CallManager,
  type CallScope,
  type Logger,
  type Metrics,
  type OpenCallOptions,
  type Store,
} from '@vapi-cn/sdk-plugin-api';
import { CallContainer } from '../container/call-container.js';
import type { RefContainer } from '../container/ref-container.js';
import { CallScopeImpl } from './call-scope.js';

export class CallManagerImpl implements CallManager {
  private readonly calls = new Map<string, CallScopeImpl>();
  private isDraining = false;
  private idleWaiters: Array<() => void> = [];
  private readonly activeGauge;
  private readonly startedCounter;
  private readonly endedCounter;

  constructor(
    private readonly deps: { container: RefContainer; store: Store; bus: Bus; log: Logger; metrics: Metrics },
  ) {
    this.activeGauge = deps.metrics.gauge({ name: 'vapi_calls_active', help: 'Calls in progress' });
    this.startedCounter = deps.metrics.counter({ name: 'vapi_calls_started_total', help: 'Calls opened', labelNames: ['transport', 'direction'] });
    this.endedCounter = deps.metrics.counter({ name: 'vapi_calls_ended_total', help: 'Calls ended, by reason', labelNames: ['reason'] });
  }

  get draining(): boolean {
    return this.isDraining;
  }

  async open(options: OpenCallOptions): Promise<CallScope> {
    if (this.isDraining) {
      throw new VapiError('the server is shutting down and takes no new calls', {
        code: 'VAPI_ERR_CALL_DRAINING',
        category: 'server',
        retryable: true,
        fix: 'route the call to another node',
      });
    }
    const id = options.id ?? randomUUID();
    if (this.calls.has(id)) {
      throw new VapiError(`a call with id ${id} is already in progress`, { code: 'VAPI_ERR_CALL_DUPLICATE', category: 'invalid_request' });
    }
    const record = await this.deps.store.calls.create({
      id,
      transport: options.transport,
      direction: options.direction,
      status: options.status ?? 'ringing',
      assistantId: options.assistantId ?? null,
      fromNumber: options.fromNumber ?? null,
      toNumber: options.toNumber ?? null,
      metadata: options.metadata ?? {},
    });
    const log = this.deps.log.child({ callId: id, transport: options.transport, assistantId: options.assistantId ?? undefined });
    const scope = new CallScopeImpl(record, log, new CallContainer(this.deps.container), this.deps.store, {
      onEnded: (ended, reason) => this.ended(ended, reason),
    });
    this.calls.set(id, scope);
    this.activeGauge.inc();
    this.startedCounter.inc({ transport: options.transport, direction: options.direction });
    log.info({ direction: options.direction }, 'call opened');
    this.publish('calls.started', { callId: id, transport: options.transport, direction: options.direction, assistantId: options.assistantId ?? null });
    return scope;
  }

  get(callId: string): CallScope | undefined {
    return this.calls.get(callId);
  }

  active(): CallScope[] {
    return [...this.calls.values()];
  }

  /**
   * Refuses new calls, waits up to `timeoutMs` for active calls to end, then ends the rest with
   * reason `server-shutdown`. Returns how many had to be ended.
   */
  async drain(timeoutMs: number): Promise<number> {
    this.isDraining = true;
    if (this.calls.size > 0) {
      this.deps.log.info({ activeCalls: this.calls.size, timeoutMs }, 'draining active calls');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.idleWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const remaining = [...this.calls.values()];
    await Promise.all(remaining.map((call) => call.end('server-shutdown')));
    return remaining.length;
  }

  private ended(scope: CallScopeImpl, reason: string): void {
    if (!this.calls.delete(scope.id)) return;
    this.activeGauge.dec();
    this.endedCounter.inc({ reason });
    this.publish('calls.ended', { callId: scope.id, reason });
    if (this.calls.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  private publish(topic: string, message: Record<string, unknown>): void {
    this.deps.bus.publish(topic, message).catch((error: unknown) => this.deps.log.warn({ err: error, topic }, 'bus publish failed'));
  }
}
