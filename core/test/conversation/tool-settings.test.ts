import t from 'tap';
import { resolveAssistantSettings } from '../../src/conversation/assistant-settings.js';

const lookup = { type: 'function', name: 'lookup_order', description: 'Look up an order', webhook: { url: 'https://example.invalid/tools' } };

t.test('tools, server and squad get their defaults', async (t) => {
  const settings = resolveAssistantSettings({});
  t.same(settings.tools, [{ type: 'endCall' }], 'the model may hang up unless told otherwise');
  t.same(settings.server, { timeoutMs: 5000, events: ['status-update', 'transcript', 'tool-calls', 'end-of-call-report'], maxRetries: 3 });
  t.same(settings.squad, { history: 'full', maxHandoffs: 5 });
  const custom = resolveAssistantSettings({
    tools: [lookup, { type: 'transferCall', destinations: [{ number: '+8610086', description: 'sales' }, { sipUri: 'sip:support@pbx.local', description: 'support' }] }, { type: 'handoff', assistants: [{ assistantId: 'billing', description: 'billing questions' }] }],
    server: { url: 'http://127.0.0.1:9/events', secret: 's3cret', events: ['end-of-call-report'] },
  });
  t.match(custom.tools[0], { name: 'lookup_order', parameters: { type: 'object', properties: {} }, webhook: { timeoutMs: 5000 } }, 'a tool variant gets its own defaults');
  t.match(custom.server, { url: 'http://127.0.0.1:9/events', secret: 's3cret', events: ['end-of-call-report'], timeoutMs: 5000, maxRetries: 3 });
});

t.test('a bad tool is explained by the variant its type names', async (t) => {
  const problem = (config: Record<string, unknown>) => {
    try {
      resolveAssistantSettings(config, 'a');
    } catch (error) {
      return (error as Error).message;
    }
    return 'valid';
  };
  t.match(problem({ tools: [{ ...lookup, webhook: { url: 'ftp://x', timeoutMs: 'soon' } }] }), /tools\.0\.webhook\.url: .*https.*; tools\.0\.webhook\.timeoutMs: Expected integer$/);
  t.notMatch(problem({ tools: [{ ...lookup, webhook: { url: 'ftp://x' } }] }), /parameters/, 'defaults are not reported as missing');
  t.match(problem({ tools: [{ type: 'frobnicate' }] }), /tools\.0\.type: must be one of function, endCall, transferCall, handoff/);
  t.match(problem({ tools: [{ type: 'transferCall', destinations: [] }] }), /tools\.0\.destinations: /);
  t.match(problem({ tools: [{ type: 'endCall' }, { ...lookup, name: 'endCall' }] }), /tools\.1: a tool named 'endCall' is already defined/);
  t.match(problem({ tools: [{ ...lookup, name: 'has space' }] }), /tools\.0\.name/);
  t.match(problem({ server: { events: ['everything'], maxRetries: -1 } }), /server\.events\.0: .*server\.maxRetries/);
  t.match(problem({ squad: { history: 'some' } }), /squad\.history/);
});

t.test('client and sendDtmf tools: defaults, bounds, names', async (t) => {
  const client = { type: 'client', name: 'show_map', description: 'Show the map in the app' };
  const settings = resolveAssistantSettings({ tools: [client, { type: 'sendDtmf' }] });
  t.same(settings.tools, [{ ...client, parameters: { type: 'object', properties: {} }, timeoutMs: 10_000 }, { type: 'sendDtmf' }]);
  const problem = (config: Record<string, unknown>) => {
    try {
      resolveAssistantSettings(config, 'a');
    } catch (error) {
      return (error as Error).message;
    }
    return 'valid';
  };
  t.match(problem({ tools: [{ ...client, timeoutMs: 50 }] }), /tools\.0\.timeoutMs/);
  t.match(problem({ tools: [{ ...client, timeoutMs: 120_001 }] }), /tools\.0\.timeoutMs/);
  t.match(problem({ tools: [{ ...client, webhook: { url: 'https://x' } }] }), /tools\.0/, 'a client tool has no webhook');
  t.match(problem({ tools: [{ type: 'sendDtmf' }, { ...client, name: 'sendDtmf' }] }), /tools\.1: a tool named 'sendDtmf' is already defined/);
  t.match(problem({ tools: [{ type: 'sendDtmf', digits: '1' }] }), /tools\.0/);
  t.match(problem({ tools: [{ type: 'nope' }] }), /must be one of function, endCall, transferCall, handoff, client, sendDtmf/);
});
