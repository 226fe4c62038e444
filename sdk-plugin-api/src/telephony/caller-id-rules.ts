/**
 * Which numbers a trunk lets you present as caller ID. Cloud carriers (Aliyun, Tencent,
 * Ronglian) only accept numbers bought from them and reject or rewrite anything else, so the
 * check happens before dialling, with an error that says which numbers are allowed.
 */
import { VapiError } from '../errors.js';
import { nationalNumber } from './china-numbers.js';
import { formatCallingNumber, maskNumber, type NumberContext, type TrunkNumberRules } from './trunk-numbers.js';

export interface CallerIdRules {
  /** Presented when a call names no `from`. */
  default?: string;
  /** Further numbers that may be presented: full numbers, or prefixes ending in `*` (a DID block). */
  allowed: string[];
  /** Any number may be presented (a PBX or trunk that checks caller ID itself). */
  allowAny: boolean;
}

export const DEFAULT_CALLER_ID_RULES: CallerIdRules = { allowed: [], allowAny: false };

/** Whether an allowed-list entry (`057188886666` or `05718888666*`) covers a number in national form. */
export function callerIdEntryMatches(entry: string, national: string): boolean {
  if (entry.endsWith('*')) return national.startsWith(entry.slice(0, -1).replace(/[\s\-()]/g, ''));
  return nationalNumber(entry) === national;
}

/** The caller ID to present for `from` (or the default), formatted for the trunk. Throws VAPI_ERR_CARRIER_CALLER_ID. */
export function chooseCallerId(from: string | undefined, rules: CallerIdRules, numbers: TrunkNumberRules, where: NumberContext): string {
  const refuse = (message: string, fix: string) =>
    new VapiError(message, { code: 'VAPI_ERR_CARRIER_CALLER_ID', category: 'invalid_request', details: { carrier: where.carrier }, fix });
  if (from === undefined || from.trim() === '') {
    if (!rules.default) {
      throw refuse(`carrier ${where.carrier} has no default caller ID and the call names none`, `set callerId.default under ${where.path} to one of the trunk's numbers, or give the call a from number`);
    }
    return formatCallingNumber(rules.default, numbers, where);
  }
  if (!rules.allowAny) {
    const national = nationalNumber(from);
    const permitted = [...(rules.default ? [rules.default] : []), ...rules.allowed];
    if (!permitted.some((entry) => callerIdEntryMatches(entry, national))) {
      throw refuse(
        `carrier ${where.carrier} does not allow presenting ${maskNumber(from)}: only the trunk's own numbers (${permitted.length} configured) may be shown`,
        permitted.length
          ? `call from callerId.default or one of callerId.allowed under ${where.path}, or add the number there if the carrier assigned it to you`
          : `add the numbers the carrier assigned to you to callerId.allowed under ${where.path}`,
      );
    }
  }
  return formatCallingNumber(from, numbers, where);
}
