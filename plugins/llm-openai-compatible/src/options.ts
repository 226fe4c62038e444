/**
 * The plugin's options: a map of named providers, each an OpenAI-compatible endpoint (a preset
 * and/or a base URL) with its key, model, timeouts and retry budget.
 */
import { Type, type Static } from '@vapi-cn/sdk-plugin-api';
import { PRESET_NAMES } from './presets.js';

/** One provider: an endpoint (preset and/or baseUrl), its key, model, timeouts and retries. */
export const ProviderOptions = Type.Object(
  {
    preset: Type.Optional(Type.Union(PRESET_NAMES.map((name) => Type.Literal(name)), { description: 'Vendor whose base URL and default model to use' })),
    baseUrl: Type.Optional(Type.String({ minLength: 1, description: 'API base URL (…/v1); required without a preset, overrides the preset’s' })),
    apiKey: Type.Optional(Type.String({ minLength: 1, description: 'Bearer key, usually ${env:…}; required for hosted presets' })),
    model: Type.Optional(Type.String({ minLength: 1, description: 'Default model; a request may name another. Defaults per preset' })),
    headers: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Extra HTTP headers sent with every request' })),
    connectTimeoutMs: Type.Integer({ minimum: 1, default: 10000, description: 'Limit for the response headers to arrive' }),
    firstTokenTimeoutMs: Type.Integer({
      minimum: 1,
      default: 15000,
      description: 'Limit from sending the request to the first text, reasoning or tool-call delta',
    }),
    idleTimeoutMs: Type.Integer({ minimum: 1, default: 10000, description: 'Limit for a stall between chunks once the answer has started' }),
    maxRetries: Type.Integer({
      minimum: 0,
      maximum: 5,
      default: 1,
      description: 'Retries on connection failure, 429 or 5xx, only before anything was streamed',
    }),
    temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 2 })),
    extraBody: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { description: 'Vendor fields merged into every request body, e.g. {enable_thinking: false}' }),
    ),
  },
  // The `default` only makes TypeBox's Value.Default (the SDK test harness) descend into each
  // `providers` entry and fill the defaults above, as the server's ajv already does.
  { additionalProperties: false, default: {} },
);

export type ProviderOptions = Static<typeof ProviderOptions>;

/** The plugin's options: the providers to register, by name. */
export const Options = Type.Object(
  {
    providers: Type.Record(Type.String({ minLength: 1 }), ProviderOptions, {
      minProperties: 1,
      description: 'Providers by name; assistants select an LLM by this name',
    }),
  },
  { additionalProperties: false },
);

export type Options = Static<typeof Options>;
