/**
 * A call in progress: its record, logger, abort signal and per-call container. `end()` is
 * idempotent: the first call runs onEnd listeners, closes per-call services and writes the end of
 * the record; later calls wait for the same result.
 */
import { toVapiError, type CallRecord, type CallScope, type DialProgress, type Logger, type Ref, type Store } from '@vapi-cn/sdk-plugin-api';
import type { CallContainer } from '../container/call-container.js';

export interface CallScopeHooks {
  /** Called once after the call has fully ended. */
  onEnded(scope: CallScopeImpl, reason: string): void;
}

export class CallScopeImpl implements CallScope {
  readonly id: string;
  readonly log: Logger;
  private current: CallRecord;
  private readonly controller = new AbortController();
  private readonly listeners: Array<(reason: string) => void | Promise<void>> = [];
  private ending?: Promise<void>;
  /** Set when answered() is called, before its write lands: a late progress() must not follow it. */
  private answering: boolean;
  /** Record writes, one after another in the order made, so a later status never lands first. */
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    record: CallRecord,
    log: Logger,
    private readonly container: CallContainer,
    private readonly store: Store,
    private readonly hooks: CallScopeHooks,
  ) {
    this.id = record.id;
    this.current = record;
    this.log = log;
    this.answering = record.answeredAt !== null;
  }

  get record(): Readonly<CallRecord> {
    return this.current;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get ended(): boolean {
    return this.ending !== undefined;
  }

  resolve<T>(ref: Ref<T>): T {
    return this.container.resolve(ref, this);
  }

  provide<T>(ref: Ref<T>, value: T): void {
    this.container.provide(ref, value);
  }

  onEnd(listener: (reason: string) => void | Promise<void>): void {
    this.listeners.push(listener);
  }

  async progress(progress: DialProgress): Promise<void> {
    if (this.ended || this.answering) return;
    const status = this.current.status === 'queued' ? this.patch({ status: 'ringing' }) : undefined;
    await Promise.all([status, this.event('progress', { progress })]);
  }

  async answered(): Promise<void> {
    if (this.ended || this.answering) return;
    this.answering = true;
    await this.patch({ status: 'in-progress', answeredAt: new Date() });
  }

  async event(type: string, payload: Record<string, unknown>): Promise<void> {
    await this.store.callEvents.append(this.id, type, payload);
  }

  end(reason: string): Promise<void> {
    this.ending ??= this.finish(reason);
    return this.ending;
  }

  private async finish(reason: string): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(reason);
      } catch (error) {
        this.log.error({ err: error }, 'call end listener failed');
      }
    }
    this.controller.abort(reason);
    for (const error of await this.container.dispose()) {
      this.log.error({ err: error }, 'closing a per-call service failed');
    }
    try {
      await this.patch({ status: 'ended', endedAt: new Date(), endReason: reason });
    } catch (error) {
      // The record keeps its start; the failure is visible in the log with the call id.
      this.log.error({ err: toVapiError(error, { code: 'VAPI_ERR_STORE_WRITE', category: 'server' }) }, 'could not write the end of the call record');
    }
    this.log.info({ reason }, 'call ended');
    this.hooks.onEnded(this, reason);
  }

  private patch(patch: Parameters<Store['calls']['update']>[1]): Promise<void> {
    const write = this.writes.then(async () => {
      const updated = await this.store.calls.update(this.id, patch);
      if (updated) this.current = updated;
    });
    // The queue goes on after a failed write; the caller still sees the failure.
    this.writes = write.catch(() => {});
    return write;
  }
}
