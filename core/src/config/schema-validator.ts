/**
 * JSON-schema validation (ajv) that reports each failure as a ConfigProblem naming the config
 * path and the fix. Defaults from the schema are filled in and strings from the environment are
 * coerced to the declared type.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { closest, formatPath, type ConfigProblem } from './problems.js';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export class SchemaValidator {
  private readonly ajv: Ajv;
  private readonly compiled = new WeakMap<object, ValidateFunction>();

  constructor() {
    this.ajv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: true, strict: false, verbose: true });
    addFormats(this.ajv);
  }

  /**
   * Validates `data` in place (defaults applied, types coerced) and returns the problems, with
   * paths prefixed by `basePath`.
   */
  validate(schema: object, data: unknown, basePath: Array<string | number>): ConfigProblem[] {
    let validate = this.compiled.get(schema);
    if (!validate) {
      try {
        validate = this.ajv.compile(schema);
      } catch (error) {
        return [
          {
            code: 'VAPI_ERR_PLUGIN_SCHEMA_INVALID',
            path: formatPath(basePath),
            message: `the plugin's configSchema is not a valid JSON schema: ${(error as Error).message}`,
            fix: 'report this to the plugin author; the plugin cannot be configured until its schema is fixed',
          },
        ];
      }
      this.compiled.set(schema, validate);
    }
    if (validate(data)) return [];
    return dedupe((validate.errors ?? []).filter(isUseful).map((e) => toProblem(e, basePath)));
  }
}

// anyOf/oneOf summaries repeat what their branches already said.
function isUseful(error: ErrorObject): boolean {
  return error.keyword !== 'anyOf' && error.keyword !== 'oneOf' && error.keyword !== 'if';
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Map<string, ConfigProblem>();
  for (const p of problems) {
    const key = p.path + '\0' + p.code;
    const previous = seen.get(key);
    // Several branches of a union failing on the same value: merge into one "must be one of".
    if (previous && p.code === 'VAPI_ERR_CONFIG_VALUE' && previous.code === 'VAPI_ERR_CONFIG_VALUE') {
      previous.message = mergeAlternatives(previous.message, p.message);
      continue;
    }
    if (!previous) seen.set(key, { ...p });
  }
  return [...seen.values()];
}

function mergeAlternatives(a: string, b: string): string {
  const values = (m: string) => /must be one of: (.*), got/.exec(m)?.[1]?.split(', ') ?? [];
  const got = /, got (.*)$/.exec(a)?.[1] ?? '';
  const all = [...new Set([...values(a), ...values(b)])];
  return all.length ? `must be one of: ${all.join(', ')}, got ${got}` : a;
}

function pointerToSegments(pointer: string): string[] {
  if (!pointer) return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 60 ? text.slice(0, 57) + '...' : text;
}

function toProblem(error: ErrorObject, basePath: Array<string | number>): ConfigProblem {
  const segments = [...basePath, ...pointerToSegments(error.instancePath)];
  const path = formatPath(segments);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const suggestion = closest(key, allowed);
      return {
        code: 'VAPI_ERR_CONFIG_UNKNOWN_KEY',
        path: formatPath([...segments, key]),
        message: `unknown key '${key}'`,
        fix: suggestion
          ? `did you mean '${suggestion}'? Rename it, or remove it`
          : `remove it${allowed.length ? `; allowed keys here: ${allowed.join(', ')}` : ''}`,
      };
    }
    case 'required': {
      const key = String(params.missingProperty);
      return {
        code: 'VAPI_ERR_CONFIG_MISSING',
        path: formatPath([...segments, key]),
        message: 'is required',
        fix: `add '${key}' under ${path}`,
      };
    }
    case 'type':
      return {
        code: 'VAPI_ERR_CONFIG_TYPE',
        path,
        message: `must be ${article(String(params.type))}, got ${show(error.data)}`,
        fix: `set ${path} to ${article(String(params.type))}`,
      };
    case 'enum':
      return valueProblem(path, `must be one of: ${(params.allowedValues as unknown[]).map(show).join(', ')}, got ${show(error.data)}`);
    case 'const':
      return valueProblem(path, `must be one of: ${show(params.allowedValue)}, got ${show(error.data)}`);
    default:
      return valueProblem(path, `${error.message ?? 'is invalid'}, got ${show(error.data)}`);
  }
}

function valueProblem(path: string, message: string): ConfigProblem {
  const constraint = message.replace(/, got .*$/, '');
  return { code: 'VAPI_ERR_CONFIG_VALUE', path, message, fix: `set ${path} to a valid value (it ${constraint})` };
}

function article(type: string): string {
  if (type.includes(',')) return `one of the types ${type}`;
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
