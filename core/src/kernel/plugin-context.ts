/**
 * The context one plugin sees: its id, a child logger, its resolved dependencies, and `provide`
 * functions that accept only the refs it declared. After setup the kernel checks that every
 * declared ref was actually provided.
 */
import {
  VapiError,
  type AnyRef,
  type CallScope,
  type CollectionRef,
  type Logger,
  type PluginContext,
  type Ref,
} from '@vapi-cn/sdk-plugin-api';
import type { RefContainer } from '../container/ref-container.js';
import type { PlannedPlugin } from './boot-plan.js';

export interface PluginContextHandle {
  context: PluginContext;
  /** Declared refs the plugin did not provide during setup (a plugin bug). */
  unprovided(): AnyRef[];
  /** Whether setup provided anything yet (an optional plugin that failed after that cannot be skipped). */
  providedAny(): boolean;
}

/** Core services that hand each plugin its own view (e.g. HTTP routes tagged with the plugin id). */
export type PerPluginViews = ReadonlyMap<symbol, (pluginId: string) => unknown>;

export function createPluginContext(
  planned: PlannedPlugin,
  container: RefContainer,
  rootLog: Logger,
  baseDir: string,
  views: PerPluginViews = new Map(),
): PluginContextHandle {
  const { id, plugin } = planned;
  const declared = new Map((plugin.provides ?? []).map((ref) => [ref.token, ref]));
  const provided = new Set<symbol>();
  const resolve = (ref: AnyRef) => views.get(ref.token)?.(id) ?? container.resolveAny(ref);
  const deps: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(plugin.requires ?? {})) deps[name] = resolve(ref);
  const optionalDeps: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(plugin.optional ?? {})) {
    if (ref.kind === 'collection' || container.isProvided(ref)) optionalDeps[name] = resolve(ref);
  }

  const check = (ref: AnyRef) => {
    if (!declared.has(ref.token)) {
      throw new VapiError(`plugin '${id}' provides '${ref.id}' without declaring it`, {
        code: 'VAPI_ERR_PLUGIN_UNDECLARED_PROVIDE',
        category: 'invalid_request',
        fix: `the plugin author must add the ref to \`provides\``,
      });
    }
    provided.add(ref.token);
  };

  const context: PluginContext = {
    id,
    log: rootLog.child({ plugin: id }),
    deps,
    optionalDeps,
    baseDir,
    provide(ref: AnyRef, keyOrValue: unknown, value?: unknown) {
      check(ref);
      if (ref.kind === 'collection') {
        if (typeof keyOrValue !== 'string' || !keyOrValue) {
          throw new VapiError(`plugin '${id}' must give a name when adding to '${ref.id}'`, { code: 'VAPI_ERR_PLUGIN_INVALID', category: 'invalid_request' });
        }
        container.add(ref as CollectionRef<unknown>, keyOrValue, value, id);
      } else {
        container.provide(ref as Ref<unknown>, keyOrValue, id);
      }
    },
    provideForCall<T>(ref: Ref<T>, factory: (call: CallScope) => T) {
      check(ref);
      container.provideForCall(ref, factory, id);
    },
  } as PluginContext;

  return {
    context,
    unprovided: () => [...declared.values()].filter((ref) => !provided.has(ref.token)),
    providedAny: () => provided.size > 0,
  };
}
