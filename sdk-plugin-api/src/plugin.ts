/**
 * definePlugin(): how a plugin tells the server who it is, what it needs, what it provides and
 * how to set it up. The kernel validates options against `configSchema`, resolves `requires`,
 * calls `setup` in dependency order, then `start`, and `stop` in reverse at shutdown.
 */
import type { Static, TObject, TSchema } from '@sinclair/typebox';
import type { Logger } from './logger.js';
import type { AnyRef, CollectionRef, Ref, Registry } from './refs.js';
import type { CallScope } from './calls.js';

export type RefMap = Record<string, AnyRef>;

/** What a ref resolves to: the value for a Ref, a Registry for a CollectionRef. */
export type Resolved<R> = R extends Ref<infer T> ? T : R extends CollectionRef<infer T> ? Registry<T> : never;

export type Deps<R extends RefMap> = { readonly [K in keyof R]: Resolved<R[K]> };

export interface PluginContext<R extends RefMap = RefMap, O extends RefMap = RefMap> {
  /** The plugin's id. */
  readonly id: string;
  /** A child logger bound to `{ plugin: id }`. */
  readonly log: Logger;
  /** Resolved `requires`. */
  readonly deps: Deps<R>;
  /** Resolved `optional` refs; a key is undefined when no enabled plugin provides it. */
  readonly optionalDeps: Partial<Deps<O>>;
  /** Directory of the config file: resolve relative file paths in options against it. */
  readonly baseDir: string;
  /** Fills a ref listed in `provides`. */
  provide<T>(ref: Ref<T>, value: T): void;
  /** Adds an entry to a collection ref listed in `provides`. */
  provide<T>(ref: CollectionRef<T>, key: string, value: T): void;
  /**
   * Provides a ref per call: `factory` runs on the first `call.resolve(ref)` in each call; the
   * instance is closed (close() or dispose(), if it has one) when the call ends.
   */
  provideForCall<T>(ref: Ref<T>, factory: (call: CallScope) => T): void;
}

/** A problem validateOptions() found: where in the options (path segments), what, and the fix. */
export interface PluginOptionProblem {
  /** Path inside the plugin's options, e.g. ['trunks', 'hq', 'inboundIps', 1]. */
  path: Array<string | number>;
  message: string;
  fix: string;
  /** Defaults to VAPI_ERR_CONFIG_VALUE. */
  code?: string;
}

export interface PluginTimeouts {
  setupMs?: number;
  startMs?: number;
  stopMs?: number;
}

export interface PluginDefinition<
  S extends TSchema = TObject<{}>,
  R extends RefMap = {},
  O extends RefMap = {},
  State = void,
> {
  /** Lower-case words joined by '-', `<kind>-<vendor>`: `stt-iflytek`, `transport-webrtc`. */
  id: string;
  /** The plugin's own version (semver). */
  version: string;
  /** Semver range of `@vapi-cn/sdk-plugin-api` it was built against, e.g. `^1.0.0`. */
  apiVersion: string;
  description?: string;
  /**
   * JSON schema of the plugin's options (a TypeBox `Type.Object(...)` gives typed options).
   * Defaults in it are applied; unknown keys are rejected unless the schema allows them.
   */
  configSchema?: S;
  /**
   * Checks the schema cannot express (addresses, values that depend on each other). Runs on the
   * schema-validated options at check-config and before start; every problem is reported with
   * its config path and fix, and any problem stops the start.
   */
  validateOptions?(options: Static<S>): PluginOptionProblem[];
  /** Refs this plugin fills in setup(). Providing anything else is an error. */
  provides?: readonly AnyRef[];
  /** Refs this plugin needs; the server refuses to boot if an enabled plugin does not provide one. */
  requires?: R;
  /** Refs used when present; they only order setup after their providers. */
  optional?: O;
  /**
   * Wires the plugin: read options, create clients, provide refs, add routes. Do not open
   * connections that must be closed here; do that in start(). The returned value is passed to
   * start() and stop().
   */
  setup(ctx: PluginContext<R, O>, options: Static<S>): State | Promise<State>;
  /** Starts serving (listen, connect). Runs after every setup(), in dependency order. */
  start?(ctx: PluginContext<R, O>, state: State): void | Promise<void>;
  /** Stops and releases everything start() opened; runs in reverse order. Must be idempotent. */
  stop?(ctx: PluginContext<R, O>, state: State): void | Promise<void>;
  /** Per-phase time limits; defaults come from the server config. */
  timeouts?: PluginTimeouts;
}

// A global brand so the kernel recognises plugins built against another copy of the SDK.
const PLUGIN_BRAND = Symbol.for('vapi-cn.plugin');

export type Plugin = PluginDefinition<TSchema, RefMap, RefMap, unknown> & { readonly [PLUGIN_BRAND]: true };

/** Declares a plugin. Export the result as the module's default export. */
export function definePlugin<S extends TSchema = TObject<{}>, R extends RefMap = {}, O extends RefMap = {}, State = void>(
  definition: PluginDefinition<S, R, O, State>,
): Plugin {
  return Object.freeze({ ...definition, [PLUGIN_BRAND]: true }) as unknown as Plugin;
}

export function isPlugin(value: unknown): value is Plugin {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PLUGIN_BRAND] === true;
}
