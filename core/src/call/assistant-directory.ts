/**
 * Where a call's assistant settings come from: the store's assistants table, read again at every
 * turn so that an operator's change (PUT /v1/assistants/:id) reaches calls in progress at their
 * next turn. One indexed read per turn is cheap next to the turn's own latency; validating the
 * settings is not (hundreds of calls share a few assistants), so the validated settings are kept
 * per assistant and reused while the stored config is the same.
 */
import { VapiError, type Store } from '@vapi-cn/sdk-plugin-api';
import { resolveAssistantSettings, type AssistantSettings } from '../conversation/assistant-settings.js';

interface Resolved {
  /** The stored config, serialized: the settings below are valid for exactly this. */
  source: string;
  settings: AssistantSettings;
}

export class AssistantDirectory {
  private readonly resolved = new Map<string, Resolved>();

  constructor(private readonly store: Store) {}

  async settings(assistantId: string): Promise<AssistantSettings> {
    const assistant = await this.store.assistants.get(assistantId);
    if (!assistant) {
      this.resolved.delete(assistantId);
      throw new VapiError(`assistant '${assistantId}' does not exist`, {
        code: 'VAPI_ERR_ASSISTANT_NOT_FOUND',
        category: 'invalid_request',
        fix: 'create it with POST /v1/assistants, or route the call to an existing assistant',
      });
    }
    const source = JSON.stringify(assistant.config ?? null);
    const known = this.resolved.get(assistantId);
    if (known?.source === source) return known.settings;
    // Shared by every call of this assistant: frozen, so no call can change another's settings.
    const settings = deepFreeze(resolveAssistantSettings(assistant.config, assistantId));
    this.resolved.set(assistantId, { source, settings });
    return settings;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
