/**
 * Where a call's assistant settings come from: the store's assistants table, read again at every
 * turn so that an operator's change (PUT /v1/assistants/:id) reaches calls in progress at their
 * next turn. One indexed read per turn is cheap next to the turn's own latency.
 */
import { VapiError, type Store } from '@vapi-cn/sdk-plugin-api';
import { resolveAssistantSettings, type AssistantSettings } from '../conversation/assistant-settings.js';

export class AssistantDirectory {
  constructor(private readonly store: Store) {}

  async settings(assistantId: string): Promise<AssistantSettings> {
    const assistant = await this.store.assistants.get(assistantId);
    if (!assistant) {
      throw new VapiError(`assistant '${assistantId}' does not exist`, {
        code: 'VAPI_ERR_ASSISTANT_NOT_FOUND',
        category: 'invalid_request',
        fix: 'create it with POST /v1/assistants, or route the call to an existing assistant',
      });
    }
    return resolveAssistantSettings(assistant.config, assistantId);
  }
}
