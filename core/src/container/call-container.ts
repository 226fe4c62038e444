/**
 * One child container per call. Per-call services are created on first resolve from the factories
 * plugins registered with provideForCall(), and closed when the call ends.
 */
import type { DependencyContainer } from 'tsyringe';
import type { CallScope, Ref } from '@vapi-cn/sdk-plugin-api';
import type { RefContainer } from './ref-container.js';

export class CallContainer {
  private readonly child: DependencyContainer;
  /** Per-call instances in creation order, closed in reverse. */
  private readonly instances: unknown[] = [];
  private disposed = false;

  constructor(private readonly root: RefContainer) {
    this.child = root.container.createChildContainer();
  }

  resolve<T>(ref: Ref<T>, call: CallScope): T {
    if (this.child.isRegistered(ref.token, false)) return this.child.resolve<T>(ref.token);
    const factory = this.root.callFactory(ref);
    if (!factory) return this.root.resolve(ref);
    const instance = factory(call) as T;
    this.register(ref, instance);
    return instance;
  }

  provide<T>(ref: Ref<T>, value: T): void {
    this.register(ref, value);
  }

  /** Closes per-call instances (newest first); returns the errors instead of throwing. */
  async dispose(): Promise<unknown[]> {
    if (this.disposed) return [];
    this.disposed = true;
    const errors: unknown[] = [];
    for (const instance of this.instances.reverse()) {
      try {
        await closeInstance(instance);
      } catch (error) {
        errors.push(error);
      }
    }
    this.instances.length = 0;
    this.child.reset();
    return errors;
  }

  private register<T>(ref: Ref<T>, value: T): void {
    this.child.register(ref.token, { useValue: value });
    this.instances.push(value);
  }
}

async function closeInstance(instance: unknown): Promise<void> {
  if (typeof instance !== 'object' || instance === null) return;
  const candidate = instance as { close?: () => unknown; dispose?: () => unknown };
  if (typeof candidate.close === 'function') await candidate.close();
  else if (typeof candidate.dispose === 'function') await candidate.dispose();
}
