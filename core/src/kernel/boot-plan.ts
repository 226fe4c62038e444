/**
 * Everything that can be checked without starting anything: each enabled plugin is found and
 * imported, its apiVersion matches this SDK, its options pass its schema, and its dependencies
 * are satisfied without cycles. `vapi-cn check-config` runs exactly this.
 */
import semver from 'semver';
import { SDK_API_VERSION, coreRefs, type AnyRef, type Plugin } from '@vapi-cn/sdk-plugin-api';
import type { LoadedConfig, PluginEntry } from '../config/load-config.js';
import { ConfigInvalidError, formatPath, type ConfigProblem } from '../config/problems.js';
import { SchemaValidator } from '../config/schema-validator.js';
import { orderPlugins } from './dependency-order.js';
import { loadBuiltinCatalog, providersOf } from './plugin-catalog.js';
import { BUILTIN_PLUGINS_DIR, loadPlugin, type LoadedPlugin } from './plugin-loader.js';

export interface PlannedPlugin extends LoadedPlugin {
  /** Options after schema defaults and coercion. */
  options: Record<string, unknown>;
  timeouts: { setupMs: number; startMs: number; stopMs: number };
  /** Start without it when its setup fails (config `optional: true`). */
  optional?: boolean;
}

export interface BootPlan {
  config: LoadedConfig;
  /** In start order. */
  plugins: PlannedPlugin[];
}

export interface PlanOptions {
  builtinDir?: string;
  validator?: SchemaValidator;
}

const EMPTY_OPTIONS_SCHEMA = { type: 'object', properties: {}, additionalProperties: false };

export const CORE_TOKENS: ReadonlySet<symbol> = new Set(Object.values(coreRefs).map((r) => r.token));

export async function planBoot(config: LoadedConfig, options: PlanOptions = {}): Promise<BootPlan> {
  const builtinDir = options.builtinDir ?? BUILTIN_PLUGINS_DIR;
  const validator = options.validator ?? new SchemaValidator();
  const problems: ConfigProblem[] = [...config.problems];
  const loaded: PlannedPlugin[] = [];

  const results = await Promise.all(
    config.plugins.map(({ id, entry }) => loadPlugin(id, entry.from, { baseDir: config.server.baseDir, builtinDir })),
  );
  results.forEach((result, i) => {
    const { id, entry } = config.plugins[i]!;
    if (!('plugin' in result)) {
      problems.push(result);
      return;
    }
    const shapeProblem = checkShape(id, result.plugin);
    if (shapeProblem) {
      problems.push(shapeProblem);
      return;
    }
    const versionProblem = checkApiVersion(id, result.plugin);
    if (versionProblem) {
      problems.push(versionProblem);
      return;
    }
    const pluginOptions = structuredClone(entry.options ?? {});
    const optionProblems = validator.validate(result.plugin.configSchema ?? EMPTY_OPTIONS_SCHEMA, pluginOptions, ['plugins', id, 'options']);
    problems.push(...optionProblems);
    if (optionProblems.length === 0) problems.push(...checkOptions(id, result.plugin, pluginOptions));
    loaded.push({ ...result, options: pluginOptions, timeouts: timeoutsFor(result.plugin, entry, config), ...(entry.optional ? { optional: true } : {}) });
  });

  let ordering = orderPlugins(loaded, CORE_TOKENS);
  if (ordering.problems.some((p) => p.code === 'VAPI_ERR_PLUGIN_MISSING_REF')) {
    // Only now is it worth importing every built-in, to name the ones that would fill the gap.
    const enabled = new Set(config.plugins.map((p) => p.id));
    const known = (await loadBuiltinCatalog(builtinDir)).plugins.filter((p) => !enabled.has(p.id));
    ordering = orderPlugins(loaded, CORE_TOKENS, (ref: AnyRef) => providersOf(ref, known));
  }
  const { order, problems: orderProblems } = ordering;
  problems.push(...orderProblems);

  if (problems.length > 0) throw new ConfigInvalidError(config.source, problems);
  return { config, plugins: order as PlannedPlugin[] };
}

/** The plugin's own validateOptions(), run once its schema passed; a throwing validator is a plugin bug. */
function checkOptions(id: string, plugin: Plugin, options: Record<string, unknown>): ConfigProblem[] {
  if (typeof plugin.validateOptions !== 'function') return [];
  const base = ['plugins', id, 'options'];
  try {
    return plugin.validateOptions(options).map((p) => ({ code: p.code ?? 'VAPI_ERR_CONFIG_VALUE', path: formatPath([...base, ...p.path]), message: p.message, fix: p.fix }));
  } catch (error) {
    return [{ code: 'VAPI_ERR_PLUGIN_INVALID', path: formatPath(base), message: `validateOptions() threw: ${(error as Error)?.message ?? String(error)}`, fix: 'report this to the plugin author' }];
  }
}

function checkShape(id: string, plugin: Plugin): ConfigProblem | undefined {
  const broken: string[] = [];
  if (typeof plugin.setup !== 'function') broken.push('setup() is missing');
  if (!semver.valid(plugin.version)) broken.push(`version '${plugin.version}' is not semver`);
  if (plugin.start !== undefined && typeof plugin.start !== 'function') broken.push('start is not a function');
  if (plugin.stop !== undefined && typeof plugin.stop !== 'function') broken.push('stop is not a function');
  if (broken.length === 0) return undefined;
  return {
    code: 'VAPI_ERR_PLUGIN_INVALID',
    path: `plugins.${id}`,
    message: `the plugin definition is invalid: ${broken.join('; ')}`,
    fix: 'report this to the plugin author',
  };
}

function checkApiVersion(id: string, plugin: Plugin): ConfigProblem | undefined {
  const range = plugin.apiVersion;
  if (typeof range !== 'string' || !semver.validRange(range)) {
    return {
      code: 'VAPI_ERR_PLUGIN_API_VERSION',
      path: `plugins.${id}`,
      message: `apiVersion '${String(range)}' is not a semver range`,
      fix: `the plugin author must set apiVersion to a range such as '^${semver.major(SDK_API_VERSION)}.0.0'`,
    };
  }
  if (!semver.satisfies(SDK_API_VERSION, range)) {
    return {
      code: 'VAPI_ERR_PLUGIN_API_VERSION',
      path: `plugins.${id}`,
      message: `was built for sdk-plugin-api ${range}, but this server provides ${SDK_API_VERSION}`,
      fix: `install a version of '${id}' built for sdk-plugin-api ^${semver.major(SDK_API_VERSION)}, or run a server whose SDK matches ${range}`,
    };
  }
  return undefined;
}

function timeoutsFor(plugin: Plugin, entry: PluginEntry, config: LoadedConfig): PlannedPlugin['timeouts'] {
  const defaults = config.pluginTimeouts;
  return {
    setupMs: entry.timeouts?.setupMs ?? plugin.timeouts?.setupMs ?? defaults.setupMs,
    startMs: entry.timeouts?.startMs ?? plugin.timeouts?.startMs ?? defaults.startMs,
    stopMs: entry.timeouts?.stopMs ?? plugin.timeouts?.stopMs ?? defaults.stopMs,
  };
}
