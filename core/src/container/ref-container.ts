/**
 * Refs on top of tsyringe. Everything is registered and resolved by the ref's explicit Symbol
 * token (no decorator metadata: tsx/esbuild emit none). Collection refs resolve to a registry that
 * plugins add entries to. Per-call factories live here too; CallContainer instantiates them.
 */
import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { VapiError, type AnyRef, type CallScope, type CollectionRef, type Ref } from '@vapi-cn/sdk-plugin-api';
import { CollectionRegistry } from './collection-registry.js';

export type CallFactory = (call: CallScope) => unknown;

export class RefContainer {
  readonly container: DependencyContainer;
  private readonly owners = new Map<symbol, string>();
  private readonly callFactories = new Map<symbol, { factory: CallFactory; owner: string }>();

  constructor(parent: DependencyContainer = rootContainer) {
    this.container = parent.createChildContainer();
  }

  provide<T>(ref: Ref<T>, value: T, owner: string): void {
    this.claim(ref, owner);
    this.owners.set(ref.token, owner);
    this.container.register(ref.token, { useValue: value });
  }

  add<T>(ref: CollectionRef<T>, key: string, value: T, owner: string): void {
    const registry = this.collection(ref);
    const previous = registry.ownerOf(key);
    if (previous) {
      throw new VapiError(`'${ref.id}' already has an entry '${key}' from '${previous}'; '${owner}' adds it again`, {
        code: 'VAPI_ERR_PLUGIN_DUPLICATE_PROVIDER',
        category: 'invalid_request',
        fix: `give one of the entries another name, or disable one of the plugins`,
      });
    }
    registry.add(key, value, owner);
  }

  provideForCall<T>(ref: Ref<T>, factory: (call: CallScope) => T, owner: string): void {
    this.claim(ref, owner);
    this.callFactories.set(ref.token, { factory: factory as CallFactory, owner });
  }

  /** A single ref has one provider, server-wide or per call. */
  private claim(ref: Ref<unknown>, owner: string): void {
    const previous = this.owners.get(ref.token) ?? this.callFactories.get(ref.token)?.owner;
    if (previous) {
      throw new VapiError(`ref '${ref.id}' is provided by both '${previous}' and '${owner}'`, {
        code: 'VAPI_ERR_PLUGIN_DUPLICATE_PROVIDER',
        category: 'invalid_request',
        fix: 'disable one of the two plugins',
      });
    }
  }

  callFactory(ref: AnyRef): CallFactory | undefined {
    return this.callFactories.get(ref.token)?.factory;
  }

  /** True when a ref (or at least one entry of a collection ref) is provided. */
  isProvided(ref: AnyRef): boolean {
    if (ref.kind === 'collection') return this.container.isRegistered(ref.token) && this.collection(ref).keys().length > 0;
    return this.owners.has(ref.token) || this.callFactories.has(ref.token);
  }

  resolve<T>(ref: Ref<T>): T {
    if (!this.owners.has(ref.token)) {
      const perCall = this.callFactories.has(ref.token);
      throw new VapiError(
        perCall ? `ref '${ref.id}' exists only inside a call` : `nothing provides ref '${ref.id}'`,
        {
          code: 'VAPI_ERR_PLUGIN_MISSING_REF',
          category: 'invalid_request',
          fix: perCall ? 'resolve it through the CallScope (call.resolve(ref))' : 'enable a plugin that provides it and list it in requires',
        },
      );
    }
    return this.container.resolve<T>(ref.token);
  }

  /** The registry of a collection ref, created empty on first use. */
  collection<T>(ref: CollectionRef<T>): CollectionRegistry<T> {
    if (!this.container.isRegistered(ref.token)) {
      this.container.register(ref.token, { useValue: new CollectionRegistry<T>() });
    }
    return this.container.resolve<CollectionRegistry<T>>(ref.token);
  }

  resolveAny(ref: AnyRef): unknown {
    return ref.kind === 'collection' ? this.collection(ref) : this.resolve(ref as Ref<unknown>);
  }
}
