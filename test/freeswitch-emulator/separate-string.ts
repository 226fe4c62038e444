/**
 * switch_separate_string(buf, ' ', argv, max) as FreeSWITCH's API commands split their arguments:
 * blanks separate, single quotes group (and are removed), a backslash escapes the next character,
 * and the last slot receives the rest of the line untouched apart from that cleanup. Parentheses
 * do NOT group, which is why `originate ... &socket(127.0.0.1:8084 async full)` must be quoted.
 */
export function separateString(input: string, max: number): string[] {
  const args: string[] = [];
  let i = 0;
  const n = input.length;
  while (i < n && args.length < max) {
    while (i < n && input[i] === ' ') i++;
    if (i >= n) break;
    if (args.length === max - 1) {
      args.push(cleanup(input.slice(i).replace(/ +$/, '')));
      break;
    }
    let token = '';
    let inQuotes = false;
    while (i < n) {
      const c = input[i];
      if (c === '\\' && i + 1 < n) {
        token += c + input[i + 1];
        i += 2;
        continue;
      }
      if (c === "'" && (inQuotes || input.indexOf("'", i + 1) !== -1)) inQuotes = !inQuotes;
      else if (c === ' ' && !inQuotes) break;
      token += c;
      i++;
    }
    args.push(cleanup(token));
  }
  return args;
}

/**
 * cleanup_separated_string: removes the grouping quotes and resolves the escapes FreeSWITCH knows
 * (\' \" \\ \n \r \t \s, and the delimiter); any other backslash stays, e.g. `\,` survives
 * for the `{a=1\,2}` variable syntax to unescape later.
 */
export function cleanup(token: string, delimiter?: string): string {
  let out = '';
  let inQuotes = false;
  for (let i = 0; i < token.length; i++) {
    const c = token[i];
    if (c === '\\' && i + 1 < token.length) {
      const next = token[i + 1];
      const mapped = next === 'n' ? '\n' : next === 'r' ? '\r' : next === 't' ? '\t' : next === 's' ? ' ' : undefined;
      if (mapped !== undefined || next === "'" || next === '"' || next === '\\' || next === delimiter) {
        out += mapped ?? next;
        i++;
        continue;
      }
    }
    if (c === "'" && (inQuotes || token.indexOf("'", i + 1) !== -1)) inQuotes = !inQuotes;
    else out += c;
  }
  return out;
}
