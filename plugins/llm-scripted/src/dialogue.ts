/**
 * What the scripted assistant says next, from the conversation so far: the greeting before the
 * caller speaks, the first matching rule's reply (and tool call) after, the rule's afterTool once
 * a tool result is in, else the fallback. A rule's tool call is made only when the request offers
 * that tool. Pure apart from the time it is given.
 */
import { VapiError, type LlmRequest } from '@vapi-cn/sdk-plugin-api';
import { DEFAULT_TEXTS } from './default-rules.js';
import { findRule, type CompiledRule } from './rules.js';
import { fillTemplate, fillValues, type Values } from './template.js';

export interface DialogueSettings {
  rules: readonly CompiledRule[];
  fallback?: string;
  greeting?: string;
  /** IANA zone of {{time}}; default the server's. */
  timeZone?: string;
}

export interface Reply {
  text: string;
  toolCall?: { name: string; arguments: string };
}

const HAN = /\p{Script=Han}/u;

export class Dialogue {
  private readonly clockFormat: Intl.DateTimeFormat;

  constructor(private readonly settings: DialogueSettings) {
    try {
      this.clockFormat = new Intl.DateTimeFormat('en-US', {
        timeZone: settings.timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: 'numeric',
        minute: '2-digit',
        hourCycle: 'h23',
      });
    } catch (error) {
      throw new VapiError(`plugins.llm-scripted.options.timeZone: unknown time zone '${settings.timeZone}'`, {
        code: 'VAPI_ERR_LLM_SCRIPTED_OPTIONS',
        category: 'invalid_request',
        cause: error,
        fix: 'use an IANA time zone name such as Asia/Shanghai or Europe/London',
      });
    }
  }

  /** The reply to `request` at wall-clock time `now` (ms since the epoch). */
  reply(request: LlmRequest, now: number): Reply {
    const last = request.messages.at(-1);
    const said = request.messages.findLast((message) => message.role === 'user')?.content;
    const variables = request.extra?.variables;
    const common: Values[] = [typeof variables === 'object' && variables !== null ? (variables as Values) : {}, this.clock(now)];
    const language = said !== undefined && HAN.test(said) ? 'zh' : 'en';
    const found = said === undefined ? undefined : findRule(this.settings.rules, said);

    if (last?.role === 'tool') {
      const template = found?.rule.afterTool ?? DEFAULT_TEXTS.acknowledgement[language];
      return { text: fillTemplate(template, [{ ...found?.captures, result: last.content }, ...common]) };
    }
    if (said === undefined) return { text: fillTemplate(this.settings.greeting ?? DEFAULT_TEXTS.greeting, common) };
    if (!found) return { text: fillTemplate(this.settings.fallback ?? DEFAULT_TEXTS.fallback[language], common) };

    const sources = [found.captures, ...common];
    const { reply = '', toolCall } = found.rule;
    const text = fillTemplate(reply, sources);
    // Like a model, call only a tool the request offers: the engine decides which tools a call has.
    if (!toolCall || !request.tools?.some((tool) => tool.name === toolCall.name)) return { text };
    return { text, toolCall: { name: toolCall.name, arguments: JSON.stringify(fillValues(toolCall.arguments, sources)) } };
  }

  /** {{time}} (9:05, 24-hour), {{hour}} (9), {{minute}} (05) and {{date}} (2026-01-31) at `now`. */
  private clock(now: number): Values {
    const part: Record<string, string> = {};
    for (const { type, value } of this.clockFormat.formatToParts(now)) part[type] = value;
    const hour = String(Number(part.hour)); // "9点", not "09点"
    return {
      time: `${hour}:${part.minute}`,
      hour,
      minute: part.minute,
      date: `${part.year}-${part.month}-${part.day}`,
    };
  }
}
