/**
 * Turns one provider's options into what a request needs: preset values filled in, the endpoint
 * URL built and checked, and a missing key or model reported at boot rather than on the first call.
 */
import { VapiError } from '@vapi-cn/sdk-plugin-api';
import type { ProviderOptions } from './options.js';
import { PRESETS, type Preset } from './presets.js';

export interface ProviderConfig {
  /** The provider's name (its key under `providers`). */
  readonly name: string;
  /** `{baseUrl}/chat/completions`. */
  readonly url: string;
  readonly apiKey?: string;
  readonly model: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly connectTimeoutMs: number;
  readonly firstTokenTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxRetries: number;
  readonly temperature?: number;
  readonly extraBody?: Readonly<Record<string, unknown>>;
}

/** Resolves a provider's options against its preset; throws VAPI_ERR_LLM_CONFIG when incomplete. */
export function resolveProviderConfig(name: string, options: ProviderOptions): ProviderConfig {
  const preset: Preset | undefined = options.preset === undefined ? undefined : PRESETS[options.preset];
  const at = `providers.${name}`;
  const baseUrl = options.baseUrl ?? preset?.baseUrl;
  if (baseUrl === undefined) {
    throw configError(`${at} has neither a preset nor a baseUrl`, `set ${at}.preset (one of ${Object.keys(PRESETS).join(', ')}) or ${at}.baseUrl`);
  }
  if (!/^https?:\/\/[^/]/i.test(baseUrl) || !URL.canParse(baseUrl)) {
    throw configError(`${at}.baseUrl is not an http(s) URL: '${baseUrl}'`, `write it like https://api.example.com/v1`);
  }
  if (preset?.needsApiKey && options.apiKey === undefined) {
    throw configError(`${at} (preset ${options.preset}) needs an apiKey`, `set ${at}.apiKey, e.g. \${env:${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_API_KEY}`);
  }
  const model = options.model ?? preset?.model;
  if (model === undefined) {
    throw configError(`${at} needs a model: its ${preset ? `preset ${options.preset}` : 'baseUrl'} has no default`, `set ${at}.model to a model the server has`);
  }
  return {
    name,
    url: `${baseUrl.replace(/\/+$/, '')}/chat/completions`,
    apiKey: options.apiKey,
    model,
    headers: options.headers ?? {},
    connectTimeoutMs: options.connectTimeoutMs,
    firstTokenTimeoutMs: options.firstTokenTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs,
    maxRetries: options.maxRetries,
    temperature: options.temperature,
    extraBody: options.extraBody,
  };
}

function configError(message: string, fix: string): VapiError {
  return new VapiError(message, { code: 'VAPI_ERR_LLM_CONFIG', category: 'invalid_request', fix });
}
