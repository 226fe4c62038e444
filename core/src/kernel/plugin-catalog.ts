/** What plugins exist: the built-ins (for `vapi-cn plugins` and for "enable X" hints). */
import type { AnyRef } from '@vapi-cn/sdk-plugin-api';
import { BUILTIN_PLUGINS_DIR, listBuiltinIds, loadPlugin, type LoadedPlugin } from './plugin-loader.js';

export interface CatalogEntry {
  id: string;
  version: string;
  apiVersion: string;
  description: string;
  provides: string[];
  requires: string[];
  origin: LoadedPlugin['origin'];
  entry: string;
}

export function describePlugin(loaded: LoadedPlugin): CatalogEntry {
  const { plugin } = loaded;
  return {
    id: plugin.id,
    version: plugin.version,
    apiVersion: plugin.apiVersion,
    description: plugin.description ?? '',
    provides: (plugin.provides ?? []).map((r) => r.id),
    requires: Object.values(plugin.requires ?? {}).map((r) => r.id),
    origin: loaded.origin,
    entry: loaded.entry,
  };
}

/** Loads every built-in plugin; ones that fail to load are reported with their error. */
export async function loadBuiltinCatalog(
  builtinDir: string = BUILTIN_PLUGINS_DIR,
): Promise<{ plugins: LoadedPlugin[]; failures: Array<{ id: string; message: string }> }> {
  const plugins: LoadedPlugin[] = [];
  const failures: Array<{ id: string; message: string }> = [];
  for (const id of listBuiltinIds(builtinDir)) {
    const loaded = await loadPlugin(id, undefined, { baseDir: builtinDir, builtinDir });
    if ('plugin' in loaded) plugins.push(loaded);
    else failures.push({ id, message: loaded.message });
  }
  return { plugins, failures };
}

/** Ids of catalog plugins that provide `ref`. */
export function providersOf(ref: AnyRef, catalog: LoadedPlugin[]): string[] {
  return catalog.filter((p) => (p.plugin.provides ?? []).some((r) => r.token === ref.token)).map((p) => p.id);
}
