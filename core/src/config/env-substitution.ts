/**
 * `${env:NAME}` and `${env:NAME:-default}` in config string values. Substitution runs on the
 * parsed YAML tree, not on the text, so an environment value can never change the document's
 * structure. `$${env:NAME}` is a literal `${env:NAME}`. Values stay strings; the schema
 * validator coerces them to the declared type (a port becomes a number).
 */
import { formatPath, type ConfigProblem } from './problems.js';

const REFERENCE = /\$?\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const MALFORMED = /\$\{env:(?![A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\})/;

export function substituteEnv(
  value: unknown,
  env: Record<string, string | undefined>,
  problems: ConfigProblem[],
  path: Array<string | number> = [],
): unknown {
  if (typeof value === 'string') return substituteString(value, env, problems, path);
  if (Array.isArray(value)) return value.map((item, i) => substituteEnv(item, env, problems, [...path, i]));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = substituteEnv(item, env, problems, [...path, key]);
    return out;
  }
  return value;
}

function substituteString(
  text: string,
  env: Record<string, string | undefined>,
  problems: ConfigProblem[],
  path: Array<string | number>,
): string {
  if (!text.includes('${')) return text;
  if (MALFORMED.test(text.replace(/\$\$\{/g, ''))) {
    problems.push({
      code: 'VAPI_ERR_CONFIG_ENV_SYNTAX',
      path: formatPath(path),
      message: `malformed environment reference in '${text}'`,
      fix: 'write ${env:NAME} or ${env:NAME:-default}, with NAME made of letters, digits and _',
    });
    return text;
  }
  return text.replace(REFERENCE, (match: string, name: string, fallback: string | undefined) => {
    if (match.startsWith('$$')) return match.slice(1);
    const found = env[name];
    // As in the shell: `:-` also replaces an empty value.
    if (found !== undefined && (found !== '' || fallback === undefined)) return found;
    if (fallback !== undefined) return fallback;
    problems.push({
      code: 'VAPI_ERR_CONFIG_ENV_UNSET',
      path: formatPath(path),
      message: `environment variable ${name} is not set`,
      fix: `export ${name}=<value> before starting, or give a default: \${env:${name}:-<default>}`,
    });
    return '';
  });
}
