import t from 'tap';
import { fillVariables, resolveAssistantSettings } from '../../src/conversation/assistant-settings.js';
import { History } from '../../src/conversation/history.js';

t.test('an empty config gets every default; a bad one names the path', async (t) => {
  const settings = resolveAssistantSettings({});
  t.match(settings, { firstMessageMode: 'assistant-first', stt: { provider: 'pocketsphinx' }, llm: { provider: 'scripted' }, tts: { provider: 'espeak' }, turn: { endpointingMs: 300 }, bargeIn: { enabled: true } });
  const custom = resolveAssistantSettings({ llm: { provider: 'deepseek', temperature: 0.3 }, turn: { idleTimeoutMs: 5000 } });
  t.match(custom, { llm: { provider: 'deepseek', temperature: 0.3 }, turn: { idleTimeoutMs: 5000, endpointingMs: 300 } });
  t.throws(() => resolveAssistantSettings({ turn: { idleTimeoutMs: 'soon' }, llm: { provder: 'x' } }, 'sales'), {
    code: 'VAPI_ERR_ASSISTANT_CONFIG',
    message: /assistant 'sales' has an invalid config: .*turn\.idleTimeoutMs/,
    fix: /PUT \/v1\/assistants/,
  });
});

t.test('variables fill placeholders; unknown ones stay visible', async (t) => {
  t.equal(fillVariables('您好{{ name }}，欢迎致电{{company}}。{{missing}}', { name: '李先生', company: '示例公司' }), '您好李先生，欢迎致电示例公司。{{missing}}');
});

t.test('history keeps the limit, never orphans a tool result, truncates at barge-in', async (t) => {
  const history = new History(4);
  history.addUser('hi');
  history.addAssistant('hello');
  history.addUser('time?');
  history.addAssistant('', [{ id: 'c1', name: 'clock', arguments: '{}' }]);
  history.addToolResult('c1', '10:00');
  t.same(history.forRequest('sys').map((m) => m.role), ['system', 'assistant', 'user', 'assistant', 'tool'], 'the oldest message dropped first');
  history.addAssistant('It is ten o\u2019clock. Anything else?');
  history.truncateLastAssistant('It is ten');
  t.same(history.transcript().slice(-1), [{ role: 'assistant', text: 'It is ten' }]);
  history.addAssistant('Unheard reply');
  history.truncateLastAssistant('');
  t.notMatch(JSON.stringify(history.transcript()), /Unheard/, 'a reply nobody heard is dropped');
  const short = new History(2);
  short.addAssistant('', [{ id: 'c2', name: 'x', arguments: '{}' }]);
  short.addToolResult('c2', 'ok');
  short.addUser('next');
  t.same(short.forRequest('s').map((m) => m.role), ['system', 'user'], 'the tool result left with its call');
});
