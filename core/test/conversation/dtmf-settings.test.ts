import t from 'tap';
import { resolveAssistantSettings } from '../../src/conversation/assistant-settings.js';

const problem = (config: Record<string, unknown>) => {
  try {
    resolveAssistantSettings(config, 'a');
  } catch (error) {
    return (error as Error).message;
  }
  return 'valid';
};

t.test('dtmf gets its defaults: keys go to the model, # ends an input, 2 s between keys', async (t) => {
  t.same(resolveAssistantSettings({}).dtmf, { mode: 'model', terminator: '#', maxDigits: 16, interDigitTimeoutMs: 2000 });
  const menu = resolveAssistantSettings({ dtmf: { mode: 'menu', menu: { options: [{ digits: '1', action: { type: 'endCall' } }] } } }).dtmf.menu;
  t.match(menu, { invalid: /not a valid option/ }, 'the invalid line has a default');
});

t.test('a menu is checked: present in menu mode, keys and actions valid, no option twice', async (t) => {
  const option = (digits: string, action: Record<string, unknown>) => ({ digits, action });
  t.match(problem({ dtmf: { mode: 'menu' } }), /dtmf\.menu: required when dtmf\.mode is 'menu'/);
  t.match(problem({ dtmf: { mode: 'menu', menu: { options: [] } } }), /dtmf\.menu\.options/);
  t.match(problem({ dtmf: { mode: 'menu', menu: { options: [option('x', { type: 'endCall' })] } } }), /dtmf\.menu\.options\.0\.digits/);
  t.match(problem({ dtmf: { mode: 'menu', menu: { options: [option('1', { type: 'say' })] } } }), /dtmf\.menu\.options\.0\.action\.text/);
  t.match(problem({ dtmf: { mode: 'menu', menu: { options: [option('1', { type: 'transfer', destination: 'the boss' })] } } }), /action\.destination/);
  t.match(problem({ dtmf: { mode: 'menu', menu: { options: [option('1', { type: 'dance' })] } } }), /action\.type: must be one of say, transfer, handoff, endCall, model/);
  t.match(problem({ dtmf: { menu: { options: [option('1', { type: 'endCall' }), option('1', { type: 'say', text: 'hi' })] } } }), /dtmf\.menu\.options\.1\.digits: '1' is already an option/);
  t.match(problem({ dtmf: { mode: 'always', terminator: '5', maxDigits: 0, interDigitTimeoutMs: 50 } }), /dtmf\.mode.*dtmf\.terminator.*dtmf\.maxDigits.*dtmf\.interDigitTimeoutMs/);
  t.equal(
    problem({
      dtmf: {
        mode: 'menu',
        terminator: '',
        menu: { options: [option('1', { type: 'transfer', destination: '+8610086' }), option('2', { type: 'transfer', destination: 'sip:ops@pbx.local' }), option('*9', { type: 'handoff', assistantId: 'b' })] },
      },
    }),
    'valid',
  );
});
