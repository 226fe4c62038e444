/**
 * Chinese phone numbers as people and carriers write them: `+86 138 0013 8000`,
 * `008613800138000`, `(010) 8888-6666`, `400-123-4567`. Everything is reduced to one national
 * form (digits only, landlines with their leading 0 and area code) so routing and carriers
 * compare like with like.
 */

export type ChineseNumberKind = 'mobile' | 'landline' | 'service' | 'short' | 'international' | 'unknown';

export interface ChineseNumber {
  kind: ChineseNumberKind;
  /** Digits as dialled inside China: `13800138000`, `01088886666`, `4001234567`, `95555`. */
  national: string;
  /** E.164 with `+`, when the number is a Chinese mobile or landline or 400/800; else undefined. */
  e164?: string;
}

// Area codes of two digits after the 0 (Beijing 010, 02x); every other area code has three.
const TWO_DIGIT_AREA = /^0(10|2\d)/;

/** Parses a number written any common way. Never throws: what it cannot place is `unknown`. */
export function parseChineseNumber(input: string): ChineseNumber {
  const trimmed = input.trim();
  let digits = trimmed.replace(/[\s\-().]/g, '');
  const plus = digits.startsWith('+');
  if (plus) digits = digits.slice(1);
  if (!/^\d+$/.test(digits)) return { kind: 'unknown', national: trimmed };
  if (digits.startsWith('0086')) digits = digits.slice(4);
  else if (plus && digits.startsWith('86')) digits = digits.slice(2);
  else if (plus || digits.startsWith('00')) return { kind: 'international', national: plus ? `+${digits}` : digits };
  else if (digits.startsWith('86') && digits.length === 13 && digits[2] === '1') digits = digits.slice(2);
  // Carriers (IMS trunks especially) send landlines as 86 + area code without its 0 and without
  // a `+`: 861088886666. No national number starts with 86 and is this long (locals have 7-8 digits).
  else if (/^86(10\d{8}|[2-9]\d{8,10})$/.test(digits) && isLandline(`0${digits.slice(2)}`)) digits = `0${digits.slice(2)}`;

  // A mobile dialled with a trunk 0 from another area (`013800138000`) is still a mobile.
  if (/^01[3-9]\d{9}$/.test(digits)) digits = digits.slice(1);
  if (/^1[3-9]\d{9}$/.test(digits)) return { kind: 'mobile', national: digits, e164: `+86${digits}` };
  if (/^[48]00\d{7}$/.test(digits)) return { kind: 'service', national: digits, e164: `+86${digits}` };
  // Landline written without its trunk 0 after +86: +86 10 8888 6666.
  if (!digits.startsWith('0') && digits.length >= 9 && digits.length <= 11 && (plus || trimmed.startsWith('0086'))) digits = `0${digits}`;
  if (isLandline(digits)) return { kind: 'landline', national: digits, e164: `+86${digits.slice(1)}` };
  if (/^\d{3,6}$/.test(digits)) return { kind: 'short', national: digits };
  return { kind: 'unknown', national: digits };
}

/** A trunk 0, an area code (2 or 3 digits after the 0) and a local number of 7 or 8 digits. */
function isLandline(digits: string): boolean {
  if (!/^0[1-9]\d{8,10}$/.test(digits)) return false;
  const local = digits.length - (TWO_DIGIT_AREA.test(digits) ? 3 : 4);
  return local >= 7 && local <= 8;
}

/** The national form, the key numbers are routed and compared by. */
export function nationalNumber(input: string): string {
  return parseChineseNumber(input).national;
}
