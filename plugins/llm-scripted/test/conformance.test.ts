/** The SDK's LLM conformance suite on the scripted LLM (it has no vendor that could fail). */
import t from 'tap';
import { providerRefs } from '@vapi-cn/sdk-plugin-api';
import { llmConformance, runWithTap, setupPlugin } from '@vapi-cn/sdk-plugin-api/testkit';
import plugin from '../src/index.js';

const harness = await setupPlugin(plugin, { options: { tokenIntervalMs: 5 } });
await runWithTap(
  t,
  llmConformance({
    create: () => harness.registry(providerRefs.llm).get('scripted')!,
    inducible: [],
    request: { messages: [{ role: 'user', content: 'hello there' }] },
    toolCallRequest: {
      messages: [{ role: 'user', content: 'goodbye' }],
      tools: [{ name: 'endCall', description: 'End the call', parameters: { type: 'object', properties: {} } }],
    },
  }),
);
