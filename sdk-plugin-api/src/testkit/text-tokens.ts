/**
 * Splits text roughly the way a model streams it: one token per word (with its leading space) or
 * per CJK character, since Chinese and Japanese have no spaces to split on. Joining the tokens
 * gives back the text.
 */
const TOKEN = /\s*(?:[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[^\s\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+)|\s+$/gu;

export function textTokens(text: string): string[] {
  return text.match(TOKEN) ?? [];
}
