/**
 * What an assistant is: its prompt, first message, providers and turn-taking. Stored as the
 * `config` of an assistant row (or given inline); validated here with every default filled in,
 * so the engine never guesses. Each turn reads the settings again, so a change through the API
 * reaches calls in progress at their next turn.
 */
import { Type, VapiError, type Static, type TSchema } from '@vapi-cn/sdk-plugin-api';
import { Value, type ValueError } from '@sinclair/typebox/value';

const Extra = Type.Optional(Type.Record(Type.String(), Type.Unknown()));

const HttpUrl = Type.String({ pattern: '^https?://' });
/** An HMAC key for X-Vapi-Signature. Stored with the assistant, never logged. */
const Secret = Type.String({ minLength: 1 });

/** A tool the assistant's own HTTP endpoint runs: the model's call is POSTed there, signed. */
const FunctionTool = Type.Object(
  {
    type: Type.Literal('function'),
    // What OpenAI-style APIs accept as a function name.
    name: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }),
    description: Type.String(),
    /** JSON schema of the arguments object; the model's arguments are validated against it. */
    parameters: Type.Object({ type: Type.Literal('object') }, { additionalProperties: true, default: { type: 'object', properties: {} } }),
    webhook: Type.Object(
      {
        url: HttpUrl,
        timeoutMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 5000 }),
        /** Defaults to server.secret. */
        secret: Type.Optional(Secret),
      },
      { additionalProperties: false },
    ),
    /** Said while the webhook runs ("One moment…"). */
    speakWhileWaiting: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

/**
 * A tool the call's client runs (an app on the voice WebSocket API): the engine sends it the call
 * as a `function_call` and gives the model the `function_result` the client answers with.
 */
const ClientTool = Type.Object(
  {
    type: Type.Literal('client'),
    name: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }),
    description: Type.String(),
    parameters: Type.Object({ type: Type.Literal('object') }, { additionalProperties: true, default: { type: 'object', properties: {} } }),
    /** How long the client has to answer; then the model hears the tool failed. */
    timeoutMs: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 }),
    /** Said while the client works ("One moment…"). */
    speakWhileWaiting: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

/** Lets the model press keys (DTMF) on the call, to find its way through an IVR on an outbound call. */
const SendDtmfTool = Type.Object({ type: Type.Literal('sendDtmf') }, { additionalProperties: false });

const TransferDestination = Type.Union([
  Type.Object({ number: Type.String({ pattern: '^\\+?[0-9]{2,32}$' }), description: Type.String() }, { additionalProperties: false }),
  Type.Object({ sipUri: Type.String({ pattern: '^sips?:' }), description: Type.String() }, { additionalProperties: false }),
]);

/** Built-in call control, run by the engine itself. */
const EndCallTool = Type.Object({ type: Type.Literal('endCall') }, { additionalProperties: false });
const TransferCallTool = Type.Object(
  { type: Type.Literal('transferCall'), destinations: Type.Array(TransferDestination, { minItems: 1 }) },
  { additionalProperties: false },
);
const HandoffTool = Type.Object(
  {
    type: Type.Literal('handoff'),
    assistants: Type.Array(Type.Object({ assistantId: Type.String({ minLength: 1 }), description: Type.String() }, { additionalProperties: false }), { minItems: 1 }),
  },
  { additionalProperties: false },
);

const ToolSettingsSchema = Type.Union([FunctionTool, EndCallTool, TransferCallTool, HandoffTool, ClientTool, SendDtmfTool]);
export type ToolSettings = Static<typeof ToolSettingsSchema>;
export type FunctionToolSettings = Static<typeof FunctionTool>;
export type ClientToolSettings = Static<typeof ClientTool>;

/** Names the model calls the built-in tools by. */
export const BUILTIN_TOOL_NAMES = { endCall: 'endCall', transferCall: 'transferCall', handoff: 'handoff', sendDtmf: 'sendDtmf' } as const;

/** The name the model calls a tool by. */
export function toolName(tool: ToolSettings): string {
  return tool.type === 'function' || tool.type === 'client' ? tool.name : BUILTIN_TOOL_NAMES[tool.type];
}

/** A key sequence as a DTMF menu option or an input: what a telephone keypad sends. */
const DtmfDigits = Type.String({ pattern: '^[0-9*#A-D]{1,16}$' });

/** What a DTMF menu option does, without the model. */
const DtmfMenuAction = Type.Union([
  /** Says `text`; the caller may then choose again. */
  Type.Object({ type: Type.Literal('say'), text: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  /** Blind transfer, as the transferCall tool; `text` is said first. */
  Type.Object(
    { type: Type.Literal('transfer'), destination: Type.String({ pattern: '^(\\+?[0-9]{2,32}|sips?:.+)$' }), text: Type.Optional(Type.String()) },
    { additionalProperties: false },
  ),
  /** The call goes on with another assistant, as the handoff tool; `text` is said first. */
  Type.Object({ type: Type.Literal('handoff'), assistantId: Type.String({ minLength: 1 }), text: Type.Optional(Type.String()) }, { additionalProperties: false }),
  /** Ends the call after `text`, if any, is said. */
  Type.Object({ type: Type.Literal('endCall'), text: Type.Optional(Type.String()) }, { additionalProperties: false }),
  /** Gives `text` to the model as the caller's turn (`{{digits}}` is the keys pressed). */
  Type.Object({ type: Type.Literal('model'), text: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
]);
export type DtmfMenuAction = Static<typeof DtmfMenuAction>;

const DtmfMenu = Type.Object(
  {
    options: Type.Array(Type.Object({ digits: DtmfDigits, action: DtmfMenuAction }, { additionalProperties: false }), { minItems: 1 }),
    /** Said when the keys match no option. */
    invalid: Type.String({ default: 'Sorry, that is not a valid option. Please try again.' }),
  },
  { additionalProperties: false },
);
export type DtmfMenuSettings = Static<typeof DtmfMenu>;

export const SERVER_EVENT_TYPES = ['status-update', 'transcript', 'tool-calls', 'end-of-call-report'] as const;
export type ServerEventType = (typeof SERVER_EVENT_TYPES)[number];

export const AssistantSettingsSchema = Type.Object(
  {
    systemPrompt: Type.String({ default: 'You are a helpful voice assistant. Answer briefly, in the language the caller speaks.' }),
    firstMessage: Type.String({ default: '' }),
    /** `assistant-first`: say firstMessage on answer; `caller-first`: wait for the caller. */
    firstMessageMode: Type.Union([Type.Literal('assistant-first'), Type.Literal('caller-first')], { default: 'assistant-first' }),
    /** Defaults for `{{name}}` placeholders; a call's own variables override them. */
    variables: Type.Record(Type.String(), Type.String(), { default: {} }),
    maxHistoryMessages: Type.Integer({ minimum: 2, default: 40 }),
    stt: Type.Object(
      { provider: Type.String({ default: 'pocketsphinx' }), language: Type.Optional(Type.String()), model: Type.Optional(Type.String()), hints: Type.Optional(Type.Array(Type.String())), extra: Extra },
      { additionalProperties: false, default: {} },
    ),
    llm: Type.Object(
      {
        provider: Type.String({ default: 'scripted' }),
        model: Type.Optional(Type.String()),
        temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 2 })),
        maxTokens: Type.Optional(Type.Integer({ minimum: 1 })),
        extra: Extra,
      },
      { additionalProperties: false, default: {} },
    ),
    tts: Type.Object(
      { provider: Type.String({ default: 'espeak' }), voice: Type.Optional(Type.String()), language: Type.Optional(Type.String()), speed: Type.Optional(Type.Number({ minimum: 0.25, maximum: 4 })), extra: Extra },
      { additionalProperties: false, default: {} },
    ),
    vad: Type.Object(
      {
        provider: Type.String({ default: 'webrtc' }),
        aggressiveness: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2), Type.Literal(3)])),
        minSpeechMs: Type.Optional(Type.Integer({ minimum: 0 })),
        /** The VAD's hold of silence before speech-end; endpointing waits are counted from the last voiced frame. */
        minSilenceMs: Type.Integer({ minimum: 0, default: 200 }),
        energyGateDbfs: Type.Optional(Type.Number({ maximum: 0 })),
      },
      { additionalProperties: false, default: {} },
    ),
    turn: Type.Object(
      {
        /** Wait after the caller stops when the transcript looks finished / unfinished. */
        endpointingMs: Type.Integer({ minimum: 0, default: 300 }),
        unfinishedEndpointingMs: Type.Integer({ minimum: 0, default: 1200 }),
        /** Silence after the bot finished before an idle prompt. */
        idleTimeoutMs: Type.Integer({ minimum: 1000, default: 8000 }),
        idlePrompts: Type.Array(Type.String(), { default: ['Are you still there?'] }),
        /** Idle prompts before the call ends with `silence-timeout`. */
        maxIdlePrompts: Type.Integer({ minimum: 0, default: 2 }),
        maxDurationMs: Type.Integer({ minimum: 1000, default: 600_000 }),
        /** When the assistant says one of these, the call ends after it is spoken. */
        endCallPhrases: Type.Array(Type.String(), { default: [] }),
      },
      { additionalProperties: false, default: {} },
    ),
    bargeIn: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        /** Caller speech must last this long (beyond the VAD's own minimum) to interrupt. */
        minSpeechMs: Type.Integer({ minimum: 0, default: 200 }),
        /** Words the caller must say to interrupt (0: speech alone is enough). */
        minWords: Type.Integer({ minimum: 0, default: 0 }),
        /** Fillers that never interrupt ("嗯", "uh-huh"): playback resumes. */
        ignoreWords: Type.Array(Type.String(), { default: ['嗯', '嗯嗯', '哦', '啊', 'uh-huh', 'mhm', 'hmm', 'um', 'uh', 'ok', 'okay', 'yeah'] }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** What the caller's keypad (DTMF) does. Every digit is recorded as a `dtmf` event whatever the mode. */
    dtmf: Type.Object(
      {
        /** `model`: collected keys go to the model as the caller's turn; `menu`: `menu` runs them, without the model; `ignore`: only recorded. */
        mode: Type.Union([Type.Literal('model'), Type.Literal('menu'), Type.Literal('ignore')], { default: 'model' }),
        /** The key that ends an input (not part of it); '' for none. */
        terminator: Type.Union([Type.Literal('#'), Type.Literal('*'), Type.Literal('')], { default: '#' }),
        /** An input ends after this many keys. */
        maxDigits: Type.Integer({ minimum: 1, maximum: 64, default: 16 }),
        /** An input ends when no key follows within this long. */
        interDigitTimeoutMs: Type.Integer({ minimum: 100, maximum: 30_000, default: 2000 }),
        /** The options of `menu` mode (required there). */
        menu: Type.Optional(DtmfMenu),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Spoken when a provider fails mid-call, before the call ends cleanly. */
    fallbackLine: Type.String({ default: 'Sorry, I am having trouble right now. Please call again later.' }),
    /** Tools offered to the model; by default it may hang up. */
    tools: Type.Array(ToolSettingsSchema, { default: [{ type: 'endCall' }] }),
    /** Where the call's events are POSTed (signed), as they happen. No url: none are sent. */
    server: Type.Object(
      {
        url: Type.Optional(HttpUrl),
        secret: Type.Optional(Secret),
        timeoutMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 5000 }),
        events: Type.Array(Type.Union(SERVER_EVENT_TYPES.map((type) => Type.Literal(type))), { default: [...SERVER_EVENT_TYPES] }),
        /** Retries after a network error, 5xx or 429 (never after another 4xx). */
        maxRetries: Type.Integer({ minimum: 0, maximum: 10, default: 3 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** How a handoff to another assistant (the `handoff` tool) goes; read from the assistant handing off. */
    squad: Type.Object(
      {
        /** `full`: the next assistant sees the conversation so far; `summary`: only the handoff's summary. */
        history: Type.Union([Type.Literal('full'), Type.Literal('summary')], { default: 'full' }),
        /** Handoffs allowed in one call, so assistants cannot pass a caller back and forth forever. */
        maxHandoffs: Type.Integer({ minimum: 0, default: 5 }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

export type AssistantSettings = Static<typeof AssistantSettingsSchema>;

/** Settings with defaults applied; an invalid config is an invalid_request VapiError naming the path. */
export function resolveAssistantSettings(config: unknown, assistantId = 'inline'): AssistantSettings {
  const withDefaults = Value.Default(AssistantSettingsSchema, structuredClone(config ?? {}));
  const problems = [...Value.Errors(AssistantSettingsSchema, withDefaults)].flatMap(describeError);
  if (problems.length === 0) problems.push(...toolNameProblems((withDefaults as AssistantSettings).tools), ...dtmfProblems((withDefaults as AssistantSettings).dtmf));
  if (problems.length > 0) {
    const list = problems.slice(0, 5);
    throw new VapiError(`assistant '${assistantId}' has an invalid config: ${list.join('; ')}`, {
      code: 'VAPI_ERR_ASSISTANT_CONFIG',
      category: 'invalid_request',
      details: { assistantId, problems: list },
      fix: 'correct the assistant with PUT /v1/assistants/:id',
    });
  }
  return withDefaults as AssistantSettings;
}

type Variant = TSchema & { properties?: { type?: { const?: unknown } } };

/**
 * "path: message" for a settings error. "Expected union value" says nothing useful about a tool;
 * its `type` says which variant was meant, so that variant's own errors are reported instead.
 */
function describeError(error: ValueError): string[] {
  const at = error.path.replace(/^\//, '').replace(/\//g, '.') || '(root)';
  const type = (error.value as { type?: unknown } | null)?.type;
  const variants = ((error.schema as { anyOf?: Variant[] }).anyOf ?? []).filter((variant) => variant.properties?.type?.const !== undefined);
  if (type === undefined || variants.length === 0) return [`${at}: ${error.message}`];
  const meant = variants.find((variant) => variant.properties?.type?.const === type);
  if (!meant) return [`${at}.type: must be one of ${variants.map((variant) => variant.properties?.type?.const).join(', ')}`];
  // A union's defaults are applied only to a value that then matches, so default it as the variant it meant.
  const value = Value.Default(meant, structuredClone(error.value));
  return [...Value.Errors(meant, value)].flatMap((inner) => describeError({ ...inner, path: error.path + inner.path }));
}

/** The model calls tools by name, so names must be unique. */
function toolNameProblems(tools: ToolSettings[]): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  tools.forEach((tool, i) => {
    const name = toolName(tool);
    if (seen.has(name)) problems.push(`tools.${i}: a tool named '${name}' is already defined`);
    seen.add(name);
  });
  return problems;
}

/** A menu mode needs a menu, and a key sequence can choose only one option. */
function dtmfProblems(dtmf: AssistantSettings['dtmf']): string[] {
  if (dtmf.mode === 'menu' && !dtmf.menu) return ["dtmf.menu: required when dtmf.mode is 'menu'"];
  const seen = new Set<string>();
  const problems: string[] = [];
  dtmf.menu?.options.forEach((option, i) => {
    if (seen.has(option.digits)) problems.push(`dtmf.menu.options.${i}.digits: '${option.digits}' is already an option`);
    seen.add(option.digits);
  });
  return problems;
}

/** Fills `{{name}}` placeholders; unknown names are left as they are (visible, not silently blank). */
export function fillVariables(text: string, variables: Readonly<Record<string, string>>): string {
  return text.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (match, name: string) => variables[name] ?? match);
}
