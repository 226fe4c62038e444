/**
 * Route patterns: `*` (any number), a prefix such as `400*`, or an exact number. Patterns are
 * reduced to the national form the router compares called numbers in (the SDK's
 * `nationalNumber`), so `+86 400-123-4567` and `4001234567` are one route and `+86 400*` is
 * `400*`. Whatever cannot be a route is a VapiError that says how to write one.
 */
import { VapiError, nationalNumber } from '@vapi-cn/sdk-plugin-api';

export type NumberPatternKind = 'any' | 'prefix' | 'exact';

export interface NumberPattern {
  /** The normalised pattern, as stored and listed: `*`, `400*`, `4001234567`. */
  pattern: string;
  kind: NumberPatternKind;
  /** The number, or the prefix without its `*`; empty for `*`. */
  digits: string;
}

/** National numbers are at most 12 digits, E.164 numbers 15; this leaves room for extensions. */
const MAX_DIGITS = 20;

/** What `nationalNumber` keeps of a routable number: digits, `+` first for international ones. */
const ROUTABLE = new RegExp(`^\\+?\\d{1,${MAX_DIGITS}}$`);

const SEPARATORS = /[\s\-().]/g;

export const PATTERN_FIX =
  'write an exact number (4001234567, +86 400-123-4567), a prefix ending in * (400*, 0755*) or * for any number; digits only, at most 20';

export function invalidPattern(input: string, why: string): VapiError {
  return new VapiError(`'${input}' is not a number pattern: ${why}`, {
    code: 'VAPI_ERR_NUMBER_PATTERN',
    category: 'invalid_request',
    fix: PATTERN_FIX,
  });
}

/** Parses and normalises a pattern; throws VAPI_ERR_NUMBER_PATTERN when it cannot be one. */
export function parseNumberPattern(input: unknown): NumberPattern {
  if (typeof input !== 'string') throw invalidPattern(String(input), 'a pattern is text');
  const trimmed = input.trim();
  if (trimmed === '') throw invalidPattern(input, 'it is empty');
  if (trimmed === '*') return { pattern: '*', kind: 'any', digits: '' };
  const star = trimmed.indexOf('*');
  if (star !== -1 && star !== trimmed.length - 1) throw invalidPattern(input, '* may only end a prefix');
  const body = (star === -1 ? trimmed : trimmed.slice(0, -1)).replace(SEPARATORS, '');
  if (!/^\+?\d+$/.test(body)) throw invalidPattern(input, 'only digits, an optional leading +, spaces and dashes are allowed');
  const digits = star === -1 ? nationalNumber(body) : nationalPrefix(body);
  if (!ROUTABLE.test(digits)) throw invalidPattern(input, digits.replace('+', '').length === 0 ? 'it has no digits of a number' : `more than ${MAX_DIGITS} digits`);
  return star === -1 ? { pattern: digits, kind: 'exact', digits } : { pattern: `${digits}*`, kind: 'prefix', digits };
}

/**
 * The national form of the start of a number, by the same rules `nationalNumber` applies to a
 * whole one: `+86`/`0086` dropped, the trunk 0 of a landline put back (`+86 755` → `0755`), a
 * mobile's trunk 0 dropped (`0138` → `138`), international prefixes kept with their `+`.
 */
function nationalPrefix(body: string): string {
  const plus = body.startsWith('+');
  let digits = plus ? body.slice(1) : body;
  let afterChinaCode = false;
  if (digits.startsWith('0086')) {
    digits = digits.slice(4);
    afterChinaCode = true;
  } else if (plus && digits.startsWith('86')) {
    digits = digits.slice(2);
    afterChinaCode = true;
  } else if (plus) {
    return `+${digits}`;
  }
  if (afterChinaCode) {
    if (digits === '') return '';
    // Mobiles (1[3-9]…) and 400/800 numbers have no trunk 0; every other national number is a
    // landline written without its 0 (+86 10 → 010, +86 21 → 021).
    const mobileOrService = /^1([3-9]|$)/.test(digits) || /^[48](0?$|00)/.test(digits);
    return mobileOrService ? digits : `0${digits}`;
  }
  return /^01[3-9]/.test(digits) ? digits.slice(1) : digits;
}
