/** The plugin's options: the rules of the dialogue, its fixed texts and its streaming pace. */
import { Type, type Static } from '@vapi-cn/sdk-plugin-api';

export const ScriptedToolCall = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'Tool to call, e.g. endCall' }),
    arguments: Type.Record(Type.String(), Type.Unknown(), {
      default: {},
      description: 'Arguments object; {{placeholders}} in string values are filled',
    }),
  },
  { additionalProperties: false },
);

export const ScriptedRule = Type.Object(
  {
    match: Type.Optional(
      Type.String({ minLength: 1, description: 'Regular expression, case-insensitive, tested against the last user message' }),
    ),
    keywords: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        minItems: 1,
        description: 'Matches when any occurs: as a whole word in Latin text, anywhere in Chinese',
      }),
    ),
    reply: Type.Optional(Type.String({ description: 'What to say; {{variable}}, {{time}}, and {{1}} for regex captures' })),
    toolCall: Type.Optional(ScriptedToolCall),
    afterTool: Type.Optional(
      Type.String({ description: "What to say once the tool's result is in ({{result}}); empty says nothing" }),
    ),
  },
  { additionalProperties: false },
);

export const ScriptedOptions = Type.Object(
  {
    rules: Type.Optional(
      Type.Array(ScriptedRule, { description: 'Tried in order, the first match wins; replaces the built-in demo rules' }),
    ),
    fallback: Type.Optional(Type.String({ description: 'Reply when no rule matches (default: a demo notice in the caller language)' })),
    greeting: Type.Optional(Type.String({ description: 'Reply when there is no user message yet (default: a bilingual greeting)' })),
    tokenIntervalMs: Type.Integer({
      minimum: 0,
      maximum: 10000,
      default: 0,
      description: 'Pause between streamed words (CJK: characters), to exercise streaming',
    }),
    firstTokenMs: Type.Integer({ minimum: 0, maximum: 60000, default: 0, description: 'Pause before the first event, like model latency' }),
    timeZone: Type.Optional(
      Type.String({ minLength: 1, description: "IANA time zone of {{time}} and {{date}}, e.g. Asia/Shanghai (default: the server's)" }),
    ),
  },
  { additionalProperties: false },
);

export type ScriptedToolCall = Static<typeof ScriptedToolCall>;
export type ScriptedRule = Static<typeof ScriptedRule>;
export type ScriptedOptions = Static<typeof ScriptedOptions>;
