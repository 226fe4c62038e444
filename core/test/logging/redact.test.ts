import t from 'tap';
import { createLogger } from '../../src/logging/create-logger.js';
import { maskPhoneNumbers, redact, REDACTED } from '../../src/logging/redact.js';
import { captureLogs } from '../helpers.js';

t.test('phone numbers keep only their last four digits', async (t) => {
  t.equal(maskPhoneNumbers('call from +8613800138000 to 4001234567'), 'call from **********8000 to ******4567');
  t.equal(maskPhoneNumbers('sip:13912345678@carrier.example'), 'sip:*******5678@carrier.example');
  t.equal(maskPhoneNumbers('extension 1001, port 5060'), 'extension 1001, port 5060', 'short numbers stay');
});

t.test('call ids (UUIDs) are not mistaken for numbers', async (t) => {
  const id = '123e4567-e89b-12d3-a456-426614174000';
  t.equal(maskPhoneNumbers(`call ${id}`), `call ${id}`);
});

t.test('secret-looking keys are replaced at any depth', async (t) => {
  const out = redact({ apiKey: 'sk-1', nested: { password: 'p', authorization: 'Bearer x', ok: 'fine', list: [{ token: 't' }] } });
  t.same(out, { apiKey: REDACTED, nested: { password: REDACTED, authorization: REDACTED, ok: 'fine', list: [{ token: REDACTED }] } });
  t.same(redact({ maxTokens: 100, tokenIntervalMs: 20, useToken: true, credentials: { id: 'a', key: 'b' } }), { maxTokens: 100, tokenIntervalMs: 20, useToken: true, credentials: REDACTED }, 'numbers and flags are no secrets; objects under secret keys go whole');
});

t.test('the logger redacts objects, messages, child bindings and errors', async (t) => {
  const { stream, lines } = captureLogs();
  const log = createLogger({ level: 'info', destination: stream });
  log.child({ from: '13800138000' }).info({ accessKeySecret: 'abc', to: '+8613900139000' }, 'dialing 13700137000');
  log.error({ err: new Error('bad number 13600136000') }, 'failed');
  await new Promise((r) => setImmediate(r));
  const text = JSON.stringify(lines);
  t.notMatch(text, /13800138000|13900139000|13700137000|13600136000|abc/);
  t.match(lines[0], { from: '*******8000', accessKeySecret: REDACTED, to: '**********9000', msg: 'dialing *******7000' });
  t.match(lines[1], { err: { message: 'bad number *******6000' } });
});
