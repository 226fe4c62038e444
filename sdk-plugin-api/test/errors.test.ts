import t from 'tap';
import { isVapiError, toVapiError, VapiError } from '../src/errors.js';

t.test('retryable defaults follow the category', async (t) => {
  t.equal(new VapiError('x', { code: 'VAPI_ERR_T_X', category: 'timeout' }).retryable, true);
  t.equal(new VapiError('x', { code: 'VAPI_ERR_T_X', category: 'auth' }).retryable, false);
  t.equal(new VapiError('x', { code: 'VAPI_ERR_T_X', category: 'server', retryable: false }).retryable, false);
});

t.test('a VapiError from another copy of the SDK is still recognised', async (t) => {
  const foreign = Object.assign(new Error('from elsewhere'), { code: 'VAPI_ERR_T_X', category: 'server', [Symbol.for('vapi-cn.VapiError')]: true });
  t.ok(isVapiError(foreign));
  t.notOk(isVapiError(new Error('plain')));
  t.notOk(isVapiError(null));
});

t.test('toVapiError keeps the cause and passes VapiErrors through', async (t) => {
  const original = new Error('socket hang up');
  const wrapped = toVapiError(original, { code: 'VAPI_ERR_STT_CONNECT', category: 'connectivity' });
  t.equal(wrapped.cause, original);
  t.equal(wrapped.message, 'socket hang up');
  t.equal(toVapiError(wrapped, { code: 'VAPI_ERR_OTHER_X', category: 'server' }), wrapped);
});

t.test('JSON form carries what a client needs and no stack', async (t) => {
  const error = new VapiError('quota used up', { code: 'VAPI_ERR_LLM_QUOTA', category: 'quota', fix: 'top up', details: { vendor: 'deepseek' } });
  t.same(JSON.parse(JSON.stringify(error)), {
    name: 'VapiError',
    code: 'VAPI_ERR_LLM_QUOTA',
    category: 'quota',
    retryable: false,
    message: 'quota used up',
    details: { vendor: 'deepseek' },
    fix: 'top up',
  });
});
