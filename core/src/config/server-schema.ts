/** JSON schema of the config file's top level. Plugin options are validated by each plugin's own schema. */
import { Type, type Static } from '@vapi-cn/sdk-plugin-api';

const Timeouts = Type.Object(
  {
    setupMs: Type.Optional(Type.Integer({ minimum: 1 })),
    startMs: Type.Optional(Type.Integer({ minimum: 1 })),
    stopMs: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

export const PluginEntrySchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true }),
    /** npm package name or path of a plugin that is not built in. */
    from: Type.Optional(Type.String({ minLength: 1 })),
    options: Type.Record(Type.String(), Type.Unknown(), { default: {} }),
    timeouts: Type.Optional(Timeouts),
    /**
     * When its setup fails (a local binary or model missing on this machine), start without it and
     * log a warning with the fix, instead of refusing to start.
     */
    optional: Type.Boolean({ default: false }),
  },
  { additionalProperties: false },
);

/** An assistant the config file brings: created in the store at start when its id is not there yet. */
export const SeedAssistantSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1 })),
    /** Assistant settings, as for POST /v1/assistants (see docs/engine.md). */
    config: Type.Record(Type.String(), Type.Unknown(), { default: {} }),
  },
  { additionalProperties: false },
);

export const ConfigFileSchema = Type.Object(
  {
    server: Type.Object(
      {
        host: Type.String({ default: '127.0.0.1', minLength: 1 }),
        port: Type.Integer({ default: 3000, minimum: 0, maximum: 65535 }),
        drainTimeoutMs: Type.Integer({ default: 30000, minimum: 0 }),
        publicUrl: Type.Optional(Type.String()),
        pluginTimeouts: Type.Object(
          {
            setupMs: Type.Integer({ default: 10000, minimum: 1 }),
            startMs: Type.Integer({ default: 15000, minimum: 1 }),
            stopMs: Type.Integer({ default: 10000, minimum: 1 }),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    log: Type.Object(
      {
        level: Type.Union(
          ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
          { default: 'info' },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    store: Type.Object(
      {
        /** `auto`: PostgreSQL when `url` is set, else embedded PGlite. */
        driver: Type.Union([Type.Literal('auto'), Type.Literal('pglite'), Type.Literal('postgres')], { default: 'auto' }),
        dataDir: Type.String({ default: './data' }),
        url: Type.String({ default: '' }),
      },
      { additionalProperties: false, default: {} },
    ),
    bus: Type.Object(
      {
        driver: Type.Union([Type.Literal('memory'), Type.Literal('redis')], { default: 'memory' }),
        url: Type.String({ default: '' }),
        /** Prepended to every Redis channel, so several deployments can share one Redis. */
        prefix: Type.String({ default: 'vapi-cn.' }),
      },
      { additionalProperties: false, default: {} },
    ),
    auth: Type.Object(
      {
        /** Require an API key on API routes. Turn off only on a trusted network. */
        enabled: Type.Boolean({ default: true }),
        /**
         * On a start whose store holds no API key at all, create one and print the console URL
         * carrying it (`/#key=…`) on stdout, once. For the embedded default; off elsewhere.
         */
        firstStartKey: Type.Boolean({ default: false }),
      },
      { additionalProperties: false, default: {} },
    ),
    plugins: Type.Record(Type.String(), PluginEntrySchema, { default: {} }),
    assistants: Type.Record(Type.String(), SeedAssistantSchema, { default: {} }),
    /**
     * Called number → assistant id: `"4001234567": sales`, `"400*": support`, `"*": reception`.
     * Routes created through /v1/phone-numbers take precedence over these.
     */
    numbers: Type.Record(Type.String(), Type.String({ minLength: 1 }), { default: {} }),
  },
  { additionalProperties: false },
);

export type ConfigFile = Static<typeof ConfigFileSchema>;
export type PluginEntry = Static<typeof PluginEntrySchema>;
export type SeedAssistant = Static<typeof SeedAssistantSchema>;
