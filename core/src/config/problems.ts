/**
 * A user error found while reading config or loading plugins. Boot collects every problem it can
 * find before giving up, so one run of `vapi-cn check-config` shows them all.
 */
import { VapiError } from '@vapi-cn/sdk-plugin-api';

export interface ConfigProblem {
  /** `VAPI_ERR_CONFIG_*` or `VAPI_ERR_PLUGIN_*`, listed in docs/errors.md. */
  code: string;
  /** Dotted path in the config (`plugins.acme.options.port`), or the plugin id. */
  path: string;
  message: string;
  /** What to do about it. */
  fix: string;
}

export class ConfigInvalidError extends VapiError {
  readonly problems: ConfigProblem[];
  readonly source: string;

  constructor(source: string, problems: ConfigProblem[]) {
    super(`${source}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the configuration`, {
      code: 'VAPI_ERR_CONFIG_INVALID',
      category: 'invalid_request',
      retryable: false,
      details: { problems },
    });
    this.name = 'ConfigInvalidError';
    this.problems = problems;
    this.source = source;
  }

  /** Human-readable report for the CLI: one block per problem, no stack trace. */
  format(): string {
    const lines = [this.message + ':'];
    for (const p of this.problems) {
      lines.push(`  ✗ ${p.path}: ${p.message} [${p.code}]`);
      lines.push(`    fix: ${p.fix}`);
    }
    return lines.join('\n');
  }
}

/** Dotted config path from path segments; keys that are not identifiers are quoted. */
export function formatPath(segments: ReadonlyArray<string | number>): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out || '(root)';
}

/** The closest candidate within a small edit distance, for "did you mean" hints. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
