/**
 * One source's routes (the store's or the config file's), indexed for lookup: an exact number
 * first, then the longest matching prefix, then `*`. A lookup costs at most one map read per digit
 * of the number, whatever the number of routes.
 */
import type { NumberPattern } from './number-pattern.js';

export interface TableRoute {
  pattern: NumberPattern;
  assistantId: string;
}

export interface TableMatch {
  pattern: string;
  assistantId: string;
}

export class RouteTable {
  private readonly exact = new Map<string, TableMatch>();
  private readonly prefixes = new Map<string, TableMatch>();
  private any: TableMatch | undefined;
  private longestPrefix = 0;

  constructor(routes: Iterable<TableRoute>) {
    for (const { pattern, assistantId } of routes) {
      const match = { pattern: pattern.pattern, assistantId };
      if (pattern.kind === 'any') this.any = match;
      else if (pattern.kind === 'exact') this.exact.set(pattern.digits, match);
      else {
        this.prefixes.set(pattern.digits, match);
        this.longestPrefix = Math.max(this.longestPrefix, pattern.digits.length);
      }
    }
  }

  get size(): number {
    return this.exact.size + this.prefixes.size + (this.any ? 1 : 0);
  }

  /** The route for a number already in national form. */
  match(national: string): TableMatch | undefined {
    const exact = this.exact.get(national);
    if (exact) return exact;
    for (let length = Math.min(national.length, this.longestPrefix); length > 0; length--) {
      const prefix = this.prefixes.get(national.slice(0, length));
      if (prefix) return prefix;
    }
    return this.any;
  }
}
