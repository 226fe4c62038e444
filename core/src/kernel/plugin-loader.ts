/**
 * Turns a config entry into a loaded plugin: a built-in from plugins/<id>, an npm package
 * (`from: '@acme/vapi-stt'`) or a local path (`from: ./acme-greeter`, relative to the config file).
 */
import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isPlugin, type Plugin } from '@vapi-cn/sdk-plugin-api';
import { closest, type ConfigProblem } from '../config/problems.js';
import { findPackageDir, resolveModuleEntry } from './package-entry.js';

/** The repository's own plugins/ folder. */
export const BUILTIN_PLUGINS_DIR = fileURLToPath(new URL('../../../plugins/', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export type PluginOrigin = 'builtin' | 'package' | 'path';

export interface LoadedPlugin {
  id: string;
  plugin: Plugin;
  origin: PluginOrigin;
  /** The module file it was imported from. */
  entry: string;
}

export function isPathSpecifier(from: string): boolean {
  return from.startsWith('.') || path.isAbsolute(from) || from.startsWith('~');
}

export function listBuiltinIds(builtinDir: string = BUILTIN_PLUGINS_DIR): string[] {
  if (!existsSync(builtinDir)) return [];
  return readdirSync(builtinDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(builtinDir, d.name, 'package.json')))
    .map((d) => d.name)
    .sort();
}

export async function loadPlugin(
  id: string,
  from: string | undefined,
  options: { baseDir: string; builtinDir?: string },
): Promise<LoadedPlugin | ConfigProblem> {
  const builtinDir = options.builtinDir ?? BUILTIN_PLUGINS_DIR;
  const where = `plugins.${id}`;
  let origin: PluginOrigin;
  let target: string | undefined;
  if (from === undefined) {
    origin = 'builtin';
    target = path.join(builtinDir, id);
    if (!existsSync(path.join(target, 'package.json'))) {
      const suggestion = closest(id, listBuiltinIds(builtinDir));
      return {
        code: 'VAPI_ERR_PLUGIN_NOT_FOUND',
        path: where,
        message: `no built-in plugin '${id}'`,
        fix: suggestion
          ? `did you mean '${suggestion}'? (\`vapi-cn plugins\` lists the built-in plugins)`
          : 'check the id against `vapi-cn plugins`, or set `from:` to the npm package or path of a plugin that is not built in',
      };
    }
  } else if (isPathSpecifier(from)) {
    origin = 'path';
    target = path.resolve(options.baseDir, from.startsWith('~') ? path.join(process.env.HOME ?? '', from.slice(1)) : from);
    if (!existsSync(target)) {
      return {
        code: 'VAPI_ERR_PLUGIN_NOT_FOUND',
        path: `${where}.from`,
        message: `no file or folder at ${target}`,
        fix: 'a relative `from:` path is resolved against the folder of the config file; fix the path',
      };
    }
  } else {
    origin = 'package';
    target = findPackageDir(from, [options.baseDir, process.cwd(), REPO_ROOT]);
    if (!target) {
      return {
        code: 'VAPI_ERR_PLUGIN_NOT_FOUND',
        path: `${where}.from`,
        message: `npm package '${from}' is not installed`,
        fix: `run \`npm install ${from}\` next to the config file or in the server's folder`,
      };
    }
  }
  const module = resolveModuleEntry(target);
  if (!module) {
    return {
      code: 'VAPI_ERR_PLUGIN_NOT_FOUND',
      path: from === undefined ? where : `${where}.from`,
      message: `no module entry in ${target}`,
      fix: 'give the package an "exports" or "main" field in package.json, or an index.ts / index.js',
    };
  }
  let imported: Record<string, unknown>;
  try {
    imported = (await import(pathToFileURL(module.entry).href)) as Record<string, unknown>;
  } catch (error) {
    return {
      code: 'VAPI_ERR_PLUGIN_LOAD_FAILED',
      path: where,
      message: `importing ${module.entry} failed: ${(error as Error).message?.split('\n')[0]}`,
      fix: "fix the plugin's code or install its dependencies",
    };
  }
  const plugin = imported.default ?? imported.plugin;
  if (!isPlugin(plugin)) {
    return {
      code: 'VAPI_ERR_PLUGIN_INVALID',
      path: where,
      message: `${module.entry} does not export a plugin`,
      fix: 'export the result of definePlugin({...}) from @vapi-cn/sdk-plugin-api as the default export',
    };
  }
  if (plugin.id !== id) {
    return {
      code: 'VAPI_ERR_PLUGIN_ID_MISMATCH',
      path: where,
      message: `the module at ${module.entry} is plugin '${plugin.id}', not '${id}'`,
      fix: `rename the config key to '${plugin.id}'`,
    };
  }
  return { id, plugin, origin, entry: module.entry };
}
