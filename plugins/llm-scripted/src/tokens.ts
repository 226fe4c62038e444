/**
 * Splits a reply into the pieces a model would stream: a word with its trailing space, or a
 * single CJK character or full-width punctuation mark (CJK text has no spaces to split at).
 * Joined, the pieces are exactly the reply.
 */
const CJK = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}\\u3000-\\u303f\\uff00-\\uffef';
const TOKEN = new RegExp(`[${CJK}]\\s*|[^\\s${CJK}]+\\s*|\\s+`, 'gu');

export function streamTokens(text: string): string[] {
  return text.match(TOKEN) ?? [];
}
