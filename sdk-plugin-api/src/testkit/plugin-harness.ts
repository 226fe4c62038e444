/**
 * Runs a plugin's setup() without a server: options are validated against its schema with
 * defaults applied (as the server does), refs it requires come from `deps`, and what it provides
 * can be read back. For unit tests of plugins; the server's own boot is tested in core.
 */
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import { VapiError } from '../errors.js';
import type { CallScope } from '../calls.js';
import type { Logger } from '../logger.js';
import type { Plugin } from '../plugin.js';
import type { AnyRef, CollectionRef, Ref, Registry } from '../refs.js';

export interface CapturedLog {
  level: string;
  bindings: Record<string, unknown>;
  obj: Record<string, unknown>;
  msg: string | undefined;
}

export interface PluginHarness {
  /** The validated options setup() received. */
  options: Record<string, unknown>;
  /** setup()'s return value (the state start/stop receive). */
  state: unknown;
  logs: CapturedLog[];
  get<T>(ref: Ref<T>): T;
  registry<T>(ref: CollectionRef<T>): Registry<T>;
  /** Runs the plugin's start(). */
  start(): Promise<void>;
  /** Runs the plugin's stop(). */
  stop(): Promise<void>;
}

export interface HarnessOptions {
  options?: Record<string, unknown>;
  /** Values for the refs the plugin requires (by ref id). Collections are given as plain objects. */
  deps?: Record<string, unknown>;
  baseDir?: string;
}

export function captureLogger(logs: CapturedLog[], bindings: Record<string, unknown> = {}): Logger {
  const at = (level: string) => (objOrMsg: unknown, msg?: string) => {
    const obj = typeof objOrMsg === 'object' && objOrMsg !== null ? (objOrMsg as Record<string, unknown>) : {};
    logs.push({ level, bindings, obj, msg: typeof objOrMsg === 'string' ? objOrMsg : msg });
  };
  return {
    level: 'trace',
    fatal: at('fatal'),
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    trace: at('trace'),
    child: (more) => captureLogger(logs, { ...bindings, ...more }),
  } as Logger;
}

class MapRegistry<T> implements Registry<T> {
  constructor(private readonly items = new Map<string, { value: T; owner: string }>()) {}
  add(key: string, value: T, owner: string) {
    this.items.set(key, { value, owner });
  }
  get = (key: string) => this.items.get(key)?.value;
  has = (key: string) => this.items.has(key);
  keys = () => [...this.items.keys()];
  entries = () => [...this.items].map(([k, v]) => [k, v.value] as [string, T]);
  providerOf = (key: string) => this.items.get(key)?.owner;
}

export async function setupPlugin(plugin: Plugin, harness: HarnessOptions = {}): Promise<PluginHarness> {
  const schema = plugin.configSchema as TSchema | undefined;
  let options: Record<string, unknown> = structuredClone(harness.options ?? {});
  if (schema) {
    options = Value.Default(schema, options) as Record<string, unknown>;
    options = Value.Convert(schema, options) as Record<string, unknown>;
    const errors = [...Value.Errors(schema, options)];
    if (errors.length > 0) {
      throw new VapiError(`invalid options for ${plugin.id}: ${errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}`, {
        code: 'VAPI_ERR_CONFIG_VALUE',
        category: 'invalid_request',
      });
    }
  }
  const logs: CapturedLog[] = [];
  const singles = new Map<symbol, unknown>();
  const collections = new Map<symbol, MapRegistry<unknown>>();
  const registryFor = (ref: AnyRef) => {
    let registry = collections.get(ref.token);
    if (!registry) collections.set(ref.token, (registry = new MapRegistry()));
    return registry;
  };
  const resolveDep = (ref: AnyRef) => {
    const given = harness.deps?.[ref.id];
    if (ref.kind === 'collection' && given && typeof given === 'object') {
      const registry = registryFor(ref);
      for (const [key, value] of Object.entries(given)) registry.add(key, value, 'test');
      return registry;
    }
    return given;
  };
  const deps: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(plugin.requires ?? {})) {
    if (harness.deps?.[ref.id] === undefined) {
      throw new VapiError(`setupPlugin: ${plugin.id} requires '${ref.id}'; pass it in deps`, { code: 'VAPI_ERR_PLUGIN_MISSING_REF', category: 'invalid_request' });
    }
    deps[name] = resolveDep(ref);
  }
  const optionalDeps: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(plugin.optional ?? {})) {
    if (harness.deps?.[ref.id] !== undefined) optionalDeps[name] = resolveDep(ref);
  }
  const declared = new Set((plugin.provides ?? []).map((r) => r.token));
  const context = {
    id: plugin.id,
    log: captureLogger(logs, { plugin: plugin.id }),
    deps,
    optionalDeps,
    baseDir: harness.baseDir ?? process.cwd(),
    provide(ref: AnyRef, keyOrValue: unknown, value?: unknown) {
      if (!declared.has(ref.token)) {
        throw new VapiError(`plugin '${plugin.id}' provides '${ref.id}' without declaring it`, { code: 'VAPI_ERR_PLUGIN_UNDECLARED_PROVIDE', category: 'invalid_request' });
      }
      if (ref.kind === 'collection') registryFor(ref).add(keyOrValue as string, value, plugin.id);
      else singles.set(ref.token, keyOrValue);
    },
    provideForCall(ref: Ref<unknown>, factory: (call: CallScope) => unknown) {
      singles.set(ref.token, factory);
    },
  };
  const state = await plugin.setup(context as never, options as never);
  return {
    options,
    state,
    logs,
    get: <T>(ref: Ref<T>) => {
      if (!singles.has(ref.token)) throw new Error(`${plugin.id} did not provide '${ref.id}'`);
      return singles.get(ref.token) as T;
    },
    registry: <T>(ref: CollectionRef<T>) => registryFor(ref) as unknown as Registry<T>,
    start: async () => {
      await plugin.start?.(context as never, state);
    },
    stop: async () => {
      await plugin.stop?.(context as never, state);
    },
  };
}
