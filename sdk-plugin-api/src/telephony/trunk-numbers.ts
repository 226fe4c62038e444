/**
 * How a trunk wants numbers written. Chinese trunks differ in small ways that decide whether a
 * call connects: national or E.164 form, a `0` before mobiles of another area, local landlines
 * without their area code, a routing prefix agreed with the carrier. The rules are data (from
 * the trunk's options); every number is first reduced to its national form by
 * parseChineseNumber, so `+86 138 0013 8000` and `013800138000` come out the same.
 */
import { VapiError } from '../errors.js';
import { parseChineseNumber } from './china-numbers.js';

/** `national`: 13800138000, 01088886666. `e164`: +8613800138000. `e164-without-plus`: 8613800138000. */
export type TrunkNumberFormat = 'national' | 'e164' | 'e164-without-plus';

/** `out-of-area`: a `0` before mobiles whose segment is not in `localMobileSegments`. */
export type MobileZeroPrefix = 'never' | 'always' | 'out-of-area';

export interface TrunkNumberRules {
  format: TrunkNumberFormat;
  /** Digits put before every called number (a routing prefix, a PBX's outside-line digit). */
  dialPrefix: string;
  /** The trunk's own area code, `010`, `0571`: completes 7-8 digit local numbers. */
  areaCode?: string;
  /** Dial landlines of the trunk's own area without the area code (needs `areaCode`). */
  stripLocalAreaCode: boolean;
  mobileZeroPrefix: MobileZeroPrefix;
  /** Mobile number segments (the first 3 to 7 digits) that are local to the trunk. */
  localMobileSegments: string[];
  /** Numbers outside China: off by default (toll fraud). */
  allowInternational: boolean;
  /** 3-6 digit service numbers such as 95555 or 10086 (never emergency numbers). */
  allowShortNumbers: boolean;
}

export const DEFAULT_NUMBER_RULES: TrunkNumberRules = {
  format: 'national',
  dialPrefix: '',
  stripLocalAreaCode: false,
  mobileZeroPrefix: 'never',
  localMobileSegments: [],
  allowInternational: false,
  allowShortNumbers: false,
};

/** Emergency and police numbers an automated caller must never dial. */
const EMERGENCY = new Set(['110', '112', '119', '120', '122', '999']);

/** Where a number error points: the carrier and the options path, for the fix. */
export interface NumberContext {
  carrier: string;
  /** Config path of the trunk's options, e.g. `plugins.carrier-aliyun.options.trunks.aliyun`. */
  path: string;
}

/** A number shortened to its last four digits, for messages and logs. */
export function maskNumber(input: string): string {
  const digits = input.replace(/\D/g, '');
  return digits.length <= 4 ? '****' : `…${digits.slice(-4)}`;
}

function inFormat(national: string, e164: string | undefined, format: TrunkNumberFormat): string {
  if (format === 'national' || !e164) return national;
  return format === 'e164' ? e164 : e164.slice(1);
}

/** The number to put in the Request-URI of a call through this trunk. Throws VAPI_ERR_CARRIER_NUMBER. */
export function formatCalledNumber(input: string, rules: TrunkNumberRules, where: NumberContext): string {
  const refuse = (why: string, fix: string) =>
    new VapiError(`carrier ${where.carrier} cannot dial ${maskNumber(input)}: ${why}`, {
      code: 'VAPI_ERR_CARRIER_NUMBER',
      category: 'invalid_request',
      details: { carrier: where.carrier },
      fix,
    });
  const parsed = parseChineseNumber(input);
  let number: string;
  switch (parsed.kind) {
    case 'mobile': {
      number = inFormat(parsed.national, parsed.e164, rules.format);
      if (rules.format === 'national' && needsMobileZero(parsed.national, rules)) number = `0${number}`;
      break;
    }
    case 'landline': {
      const local = rules.stripLocalAreaCode && rules.areaCode && parsed.national.startsWith(rules.areaCode);
      number = local ? parsed.national.slice(rules.areaCode!.length) : inFormat(parsed.national, parsed.e164, rules.format);
      break;
    }
    // 400/800 numbers are reachable only from inside China: always sent as dialled.
    case 'service':
      number = parsed.national;
      break;
    case 'short':
      if (EMERGENCY.has(parsed.national)) throw refuse('emergency numbers are never dialled by an assistant', 'dial emergency services from a phone');
      if (!rules.allowShortNumbers) throw refuse('short service numbers are not enabled on this trunk', `set numbers.allowShortNumbers: true under ${where.path} if the trunk can reach them`);
      number = parsed.national;
      break;
    case 'international':
      if (!rules.allowInternational) throw refuse('international numbers are not enabled on this trunk', `set numbers.allowInternational: true under ${where.path} if the trunk may call abroad`);
      number = rules.format === 'e164' ? `+${parsed.national.replace(/^(\+|00)/, '')}` : `00${parsed.national.replace(/^(\+|00)/, '')}`;
      break;
    default: {
      // A local number written without its area code: complete it with the trunk's own.
      if (/^[2-9]\d{6,7}$/.test(parsed.national) && rules.areaCode) {
        const national = rules.areaCode + parsed.national;
        number = rules.stripLocalAreaCode ? parsed.national : inFormat(national, `+86${national.slice(1)}`, rules.format);
        break;
      }
      throw refuse(
        'it is not a Chinese mobile, landline (with area code), 400/800 or service number',
        /^[2-9]\d{6,7}$/.test(parsed.national)
          ? `write the number with its area code (010 8888 6666), or set numbers.areaCode under ${where.path}`
          : 'write the number as 13800138000, 010 8888 6666, 400 123 4567 or +86 …',
      );
    }
  }
  return rules.dialPrefix + number;
}

/** A number as presented to the called party (caller ID): format applied, no prefixes. Throws VAPI_ERR_CARRIER_CALLER_ID. */
export function formatCallingNumber(input: string, rules: TrunkNumberRules, where: NumberContext): string {
  const parsed = parseChineseNumber(input);
  if (parsed.kind === 'mobile' || parsed.kind === 'landline' || parsed.kind === 'service') return inFormat(parsed.national, parsed.e164, rules.format);
  // Extensions and short numbers (a PBX presenting 8001, an enterprise 95xxx) go as written.
  if (parsed.kind === 'short' || /^\d{3,8}$/.test(parsed.national)) return parsed.national;
  throw new VapiError(`carrier ${where.carrier} cannot present ${maskNumber(input)} as caller ID: it is not a number the trunk can send`, {
    code: 'VAPI_ERR_CARRIER_CALLER_ID',
    category: 'invalid_request',
    details: { carrier: where.carrier },
    fix: `present one of the trunk's numbers (callerId under ${where.path}), written as 057188886666 or 13800138000`,
  });
}

function needsMobileZero(national: string, rules: TrunkNumberRules): boolean {
  if (rules.mobileZeroPrefix === 'always') return true;
  if (rules.mobileZeroPrefix === 'never') return false;
  return !rules.localMobileSegments.some((segment) => national.startsWith(segment));
}
