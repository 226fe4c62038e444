/**
 * Reads a config file: YAML → `${env:...}` substitution → top-level schema (defaults, types,
 * unknown keys). Plugin options are checked later, against each plugin's own schema.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isScalar, parseDocument, type Document } from 'yaml';
import type { ServerConfig } from '@vapi-cn/sdk-plugin-api';
import { resolveAssistantSettings } from '../conversation/assistant-settings.js';
import { substituteEnv } from './env-substitution.js';
import { parseNumberPattern, type NumberPattern } from '../routing/number-pattern.js';
import { ConfigInvalidError, formatPath, type ConfigProblem } from './problems.js';
import { ConfigFileSchema, type ConfigFile, type PluginEntry } from './server-schema.js';
import { SchemaValidator } from './schema-validator.js';

export interface LoadedConfig {
  /** File path, or `<inline>` for a config given as an object. */
  source: string;
  server: ServerConfig;
  /** Enabled plugins in file order, keyed by plugin id. */
  plugins: Array<{ id: string; entry: PluginEntry }>;
  /**
   * Problems found so far. Boot planning adds the plugins' own problems and reports them all
   * together, so one run of check-config shows everything that is wrong.
   */
  problems: ConfigProblem[];
  /** Default time limits for each plugin's setup, start and stop. */
  pluginTimeouts: { setupMs: number; startMs: number; stopMs: number };
  /** Assistants the file brings, created at start when missing (settings already validated). */
  assistants: Array<{ id: string; name: string; config: Record<string, unknown> }>;
  /** `auth.firstStartKey`: on a start with no API key in the store, make one for the console. */
  firstStartKey?: boolean;
  /** Number routes of the file (`numbers:`), patterns normalised. */
  numbers: Array<{ pattern: NumberPattern; assistantId: string }>;
}

export interface LoadOptions {
  env?: Record<string, string | undefined>;
  validator?: SchemaValidator;
}

export async function loadConfigFile(file: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  const source = path.resolve(file);
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch (error) {
    throw new ConfigInvalidError(file, [
      {
        code: 'VAPI_ERR_CONFIG_NOT_FOUND',
        path: '(file)',
        message: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        fix: 'check the path given to --config; config/default.yaml is the embedded default',
      },
    ]);
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigInvalidError(
      file,
      doc.errors.map((e) => ({
        code: 'VAPI_ERR_CONFIG_YAML',
        path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '(file)',
        message: e.message.split('\n')[0]!,
        fix: 'fix the YAML syntax (indent with spaces, quote strings containing ": " or "#")',
      })),
    );
  }
  keepNumberKeysAsWritten(doc);
  return resolveConfig(doc.toJS() ?? {}, path.dirname(source), file, options);
}

/**
 * YAML reads an unquoted `02155556666:` as the integer 2155556666, dropping the landline's 0.
 * Keys under `numbers:` are phone numbers, never integers: keep the text as written.
 */
function keepNumberKeysAsWritten(doc: Document): void {
  const numbers = doc.get('numbers', true);
  if (!isMap(numbers)) return;
  for (const pair of numbers.items) {
    if (isScalar(pair.key) && typeof pair.key.value !== 'string' && typeof pair.key.source === 'string') pair.key.value = pair.key.source;
  }
}

/** Ids an assistant can have (they appear in URLs: /v1/assistants/:id). */
const ASSISTANT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Validates an already-parsed config object (tests and embedding use this directly). */
export function resolveConfig(raw: unknown, baseDir: string, source = '<inline>', options: LoadOptions = {}): LoadedConfig {
  const problems: ConfigProblem[] = [];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigInvalidError(source, [
      { code: 'VAPI_ERR_CONFIG_TYPE', path: '(root)', message: 'the config must be a mapping of sections', fix: 'start from config/default.yaml' },
    ]);
  }
  const data = substituteEnv(raw, options.env ?? process.env, problems) as Record<string, unknown>;
  const validator = options.validator ?? new SchemaValidator();
  problems.push(...validator.validate(ConfigFileSchema, data, []));
  const file = withSections(data);
  const plugins: LoadedConfig['plugins'] = [];
  for (const [id, entry] of Object.entries(file.plugins ?? {})) {
    if (entry && typeof entry === 'object' && entry.enabled !== false) plugins.push({ id, entry });
  }
  const store = file.store;
  if (store?.driver === 'postgres' && !store.url) {
    problems.push({
      code: 'VAPI_ERR_CONFIG_MISSING',
      path: 'store.url',
      message: 'the postgres store needs a connection URL',
      fix: 'set store.url (e.g. ${env:DATABASE_URL}) to postgres://user:password@host:5432/database',
    });
  }
  if (file.bus?.driver === 'redis' && !file.bus.url) {
    problems.push({
      code: 'VAPI_ERR_CONFIG_MISSING',
      path: 'bus.url',
      message: 'the redis bus needs a connection URL',
      fix: 'set bus.url (e.g. ${env:REDIS_URL}) to redis://host:6379',
    });
  }
  const server: ServerConfig = {
    server: {
      host: file.server.host,
      port: file.server.port,
      drainTimeoutMs: file.server.drainTimeoutMs,
      ...(file.server.publicUrl ? { publicUrl: file.server.publicUrl } : {}),
    },
    log: { level: file.log.level },
    store:
      store.driver === 'postgres' || (store.driver === 'auto' && store.url)
        ? { driver: 'postgres', url: store.url }
        : { driver: 'pglite', dataDir: store.dataDir.startsWith('memory://') ? store.dataDir : path.resolve(baseDir, store.dataDir) },
    bus: file.bus.driver === 'redis' ? { driver: 'redis', url: file.bus.url, prefix: file.bus.prefix } : { driver: 'memory', prefix: file.bus.prefix },
    auth: { enabled: file.auth.enabled },
    baseDir,
  };
  const assistants: LoadedConfig['assistants'] = [];
  for (const [id, seed] of Object.entries(file.assistants ?? {})) {
    if (!seed || typeof seed !== 'object') continue;
    if (!ASSISTANT_ID.test(id)) {
      problems.push({
        code: 'VAPI_ERR_CONFIG_VALUE',
        path: `assistants.${id}`,
        message: `'${id}' is not a usable assistant id`,
        fix: 'use 1 to 64 letters, digits, _ or -',
      });
      continue;
    }
    try {
      resolveAssistantSettings(seed.config, id);
      assistants.push({ id, name: seed.name ?? id, config: seed.config ?? {} });
    } catch (error) {
      const found = ((error as { details?: { problems?: string[] } }).details?.problems ?? [String(error)]);
      for (const problem of found) {
        const [where, ...message] = problem.split(': ');
        problems.push({
          code: 'VAPI_ERR_ASSISTANT_CONFIG',
          path: `assistants.${id}.config${where === '(root)' ? '' : `.${where}`}`,
          message: message.join(': '),
          fix: 'see the assistant settings in docs/engine.md',
        });
      }
    }
  }
  const numbers = resolveNumbers(file.numbers ?? {}, problems);
  return { source, server, plugins, problems, pluginTimeouts: file.server.pluginTimeouts, assistants, numbers, firstStartKey: file.auth.firstStartKey === true };
}

/** Ids a route may name: those of assistants created through the API too (`POST /v1/assistants`). */
const ROUTED_ASSISTANT_ID = /^[A-Za-z0-9_.-]{1,200}$/;

/**
 * The `numbers:` routes, patterns normalised. An assistant is named by id and need not be among
 * the file's `assistants:` (it may be created through the API); the kernel warns at start about
 * routes to an assistant the store does not have.
 */
function resolveNumbers(numbers: Record<string, unknown>, problems: ConfigProblem[]): LoadedConfig['numbers'] {
  const routes: LoadedConfig['numbers'] = [];
  const seen = new Map<string, string>();
  for (const [key, assistantId] of Object.entries(numbers)) {
    const where = formatPath(['numbers', key]);
    let pattern: NumberPattern;
    try {
      pattern = parseNumberPattern(key);
    } catch (error) {
      problems.push({ code: 'VAPI_ERR_NUMBER_PATTERN', path: where, message: (error as Error).message, fix: (error as { fix?: string }).fix ?? '' });
      continue;
    }
    // A wrong type is already reported by the schema.
    if (typeof assistantId !== 'string' || assistantId === '') continue;
    if (!ROUTED_ASSISTANT_ID.test(assistantId)) {
      problems.push({
        code: 'VAPI_ERR_CONFIG_VALUE',
        path: where,
        message: `'${assistantId}' is not an assistant id`,
        fix: 'name an assistant by its id: letters, digits, _, . or -',
      });
      continue;
    }
    const earlier = seen.get(pattern.pattern);
    if (earlier !== undefined) {
      problems.push({
        code: 'VAPI_ERR_CONFIG_VALUE',
        path: where,
        message: `the same route as ${formatPath(['numbers', earlier])}: both are '${pattern.pattern}'`,
        fix: 'keep one of the two entries',
      });
      continue;
    }
    seen.set(pattern.pattern, key);
    routes.push({ pattern, assistantId });
  }
  return routes;
}

export type { PluginEntry };

/** After a failed validation a section may be missing or not an object; keep going with defaults. */
function withSections(data: Record<string, unknown>): ConfigFile {
  const section = (key: string) => (data[key] && typeof data[key] === 'object' && !Array.isArray(data[key]) ? data[key] : {}) as never;
  return {
    ...data,
    server: { host: '127.0.0.1', port: 0, drainTimeoutMs: 0, pluginTimeouts: { setupMs: 10000, startMs: 15000, stopMs: 10000 }, ...(section('server') as object) },
    log: { level: 'info', ...(section('log') as object) },
    store: { driver: 'auto', dataDir: './data', url: '', ...(section('store') as object) },
    bus: { driver: 'memory', url: '', prefix: 'vapi-cn.', ...(section('bus') as object) },
    auth: { enabled: true, firstStartKey: false, ...(section('auth') as object) },
    plugins: section('plugins'),
    assistants: section('assistants'),
    numbers: section('numbers'),
  } as ConfigFile;
}
