/**
 * Orders plugins so that every plugin comes after the providers of the refs it requires (or
 * optionally uses). Reports missing refs, refs provided twice, and cycles.
 */
import type { AnyRef } from '@vapi-cn/sdk-plugin-api';
import type { ConfigProblem } from '../config/problems.js';
import type { LoadedPlugin } from './plugin-loader.js';

export interface OrderResult {
  order: LoadedPlugin[];
  problems: ConfigProblem[];
}

/**
 * @param coreTokens refs the server itself provides
 * @param whoElseProvides for missing refs: ids of known (not enabled) plugins that provide a ref
 */
export function orderPlugins(
  plugins: LoadedPlugin[],
  coreTokens: ReadonlySet<symbol>,
  whoElseProvides: (ref: AnyRef) => string[] = () => [],
): OrderResult {
  const problems: ConfigProblem[] = [];
  const providers = new Map<symbol, string[]>();
  for (const { id, plugin } of plugins) {
    for (const ref of plugin.provides ?? []) {
      if (coreTokens.has(ref.token)) {
        problems.push({
          code: 'VAPI_ERR_PLUGIN_DUPLICATE_PROVIDER',
          path: `plugins.${id}`,
          message: `provides '${ref.id}', which the server provides itself`,
          fix: `remove '${ref.id}' from the plugin's provides`,
        });
        continue;
      }
      const list = providers.get(ref.token) ?? [];
      if (ref.kind === 'single' && list.length > 0) {
        problems.push({
          code: 'VAPI_ERR_PLUGIN_DUPLICATE_PROVIDER',
          path: `plugins.${id}`,
          message: `provides '${ref.id}', which '${list[0]}' provides too`,
          fix: `enable only one of '${list[0]}' and '${id}'`,
        });
      }
      list.push(id);
      providers.set(ref.token, list);
    }
  }

  const edges = new Map<string, Set<string>>();
  for (const { id, plugin } of plugins) {
    const dependsOn = new Set<string>();
    for (const [name, ref] of Object.entries(plugin.requires ?? {})) {
      if (coreTokens.has(ref.token)) continue;
      const found = providers.get(ref.token);
      if (!found) {
        const candidates = whoElseProvides(ref);
        problems.push({
          code: 'VAPI_ERR_PLUGIN_MISSING_REF',
          path: `plugins.${id}`,
          message: `requires '${ref.id}' (as ${name}), which no enabled plugin provides`,
          fix: candidates.length
            ? `enable a plugin that provides it: ${candidates.join(', ')}`
            : `enable a plugin that provides '${ref.id}', or disable '${id}'`,
        });
        continue;
      }
      for (const p of found) if (p !== id) dependsOn.add(p);
    }
    for (const ref of Object.values(plugin.optional ?? {})) {
      for (const p of providers.get(ref.token) ?? []) if (p !== id) dependsOn.add(p);
    }
    edges.set(id, dependsOn);
  }

  const cycle = findCycle(plugins.map((p) => p.id), edges);
  if (cycle) {
    problems.push({
      code: 'VAPI_ERR_PLUGIN_CYCLE',
      path: `plugins.${cycle[0]}`,
      message: `plugins depend on each other in a cycle: ${cycle.join(' → ')}`,
      fix: 'break the cycle: make one of these dependencies `optional`, or move the shared ref into its own plugin',
    });
    return { order: [], problems };
  }

  // Kahn's algorithm, keeping config order among plugins that are ready at the same time.
  const byId = new Map(plugins.map((p) => [p.id, p]));
  const done = new Set<string>();
  const order: LoadedPlugin[] = [];
  while (order.length < plugins.length) {
    const next = plugins.find((p) => !done.has(p.id) && [...edges.get(p.id)!].every((d) => done.has(d)));
    if (!next) break; // unreachable: cycles were reported above
    done.add(next.id);
    order.push(byId.get(next.id)!);
  }
  return { order, problems };
}

function findCycle(ids: string[], edges: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    state.set(id, 'visiting');
    stack.push(id);
    for (const next of edges.get(id) ?? []) {
      if (state.get(next) === 'visiting') return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of ids) {
    if (!state.has(id)) {
      const found = visit(id);
      if (found) return found;
    }
  }
  return undefined;
}
