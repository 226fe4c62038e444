/**
 * Rules compiled once at setup, and matched against what the caller said. A broken rule fails
 * setup with its index, so a config mistake stops the server at boot rather than mid-call.
 */
import { VapiError } from '@vapi-cn/sdk-plugin-api';
import type { ScriptedRule, ScriptedToolCall } from './options.js';

export interface CompiledRule {
  /** Position in the configured list, for messages. */
  index: number;
  pattern?: RegExp;
  /** Lower-case. */
  keywords: string[];
  reply?: string;
  toolCall?: ScriptedToolCall;
  afterTool?: string;
}

export interface RuleMatch {
  rule: CompiledRule;
  /** Regex captures by number ("0" is the whole match) and by group name; empty for keywords. */
  captures: Record<string, string>;
}

export function compileRules(rules: readonly ScriptedRule[]): CompiledRule[] {
  return rules.map((rule, index) => {
    const where = `plugins.llm-scripted.options.rules[${index}]`;
    if (rule.match === undefined && rule.keywords === undefined) {
      throw optionsError(`${where} has neither match nor keywords, so it can never apply`, index, 'add match (a regular expression) or keywords (a list of words)');
    }
    if (rule.reply === undefined && rule.toolCall === undefined) {
      throw optionsError(`${where} has neither reply nor toolCall, so it would do nothing`, index, 'add reply (what to say) or toolCall');
    }
    return {
      index,
      pattern: rule.match === undefined ? undefined : compilePattern(rule.match, index),
      keywords: (rule.keywords ?? []).map((keyword) => normalize(keyword).toLowerCase()),
      reply: rule.reply,
      toolCall: rule.toolCall,
      afterTool: rule.afterTool,
    };
  });
}

/** The first rule whose pattern matches or one of whose keywords occurs in `text`. */
export function findRule(rules: readonly CompiledRule[], text: string): RuleMatch | undefined {
  const normalized = normalize(text);
  const lower = normalized.toLowerCase();
  for (const rule of rules) {
    const found = rule.pattern?.exec(normalized);
    if (found) return { rule, captures: { ...found.groups, ...Object.fromEntries(found.map((value, i) => [String(i), value ?? ''])) } };
    if (rule.keywords.some((keyword) => containsKeyword(lower, keyword))) return { rule, captures: {} };
  }
  return undefined;
}

function compilePattern(match: string, index: number): RegExp {
  try {
    return new RegExp(match, 'i');
  } catch (error) {
    throw new VapiError(`plugins.llm-scripted.options.rules[${index}].match is not a valid regular expression: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}`, {
      code: 'VAPI_ERR_LLM_SCRIPTED_REGEX',
      category: 'invalid_request',
      cause: error,
      details: { rule: index, match },
      fix: `correct the pattern of rule ${index} (in YAML, single-quote it so backslashes stay as written), or use keywords instead`,
    });
  }
}

function optionsError(message: string, rule: number, fix: string): VapiError {
  return new VapiError(message, { code: 'VAPI_ERR_LLM_SCRIPTED_OPTIONS', category: 'invalid_request', details: { rule }, fix });
}

/** Curly apostrophes straightened and whitespace runs as one space: how speech-to-text output varies. */
function normalize(text: string): string {
  return text.replace(/[‘’]/g, "'").replace(/\s+/g, ' ').trim();
}

// \b does not work for Chinese (no spaces, no word characters), so a keyword's Latin ends must sit
// at a word boundary ("hi" is not in "this") while CJK keywords match anywhere ("人工" in "我要人工").
const WORD_CHAR = /[\p{Script=Latin}\p{Nd}_]/u;

function containsKeyword(text: string, keyword: string): boolean {
  const wordStart = WORD_CHAR.test(keyword[0]!);
  const wordEnd = WORD_CHAR.test(keyword[keyword.length - 1]!);
  for (let at = text.indexOf(keyword); at >= 0; at = text.indexOf(keyword, at + 1)) {
    const before = text[at - 1];
    const after = text[at + keyword.length];
    const startOk = !wordStart || before === undefined || !WORD_CHAR.test(before);
    const endOk = !wordEnd || after === undefined || !WORD_CHAR.test(after);
    if (startOk && endOk) return true;
  }
  return false;
}
