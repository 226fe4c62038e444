/** carrier-ronglian: registering trunk defaults, E.164 option, caller-ID rules. */
import t from 'tap';
import { carrierRefs, type Carrier } from '@vapi-cn/sdk-plugin-api';
import { setupPlugin } from '@vapi-cn/sdk-plugin-api/testkit';
import plugin from '../src/index.js';

const TRUNK = {
  gateway: { proxy: 'sip.ronglian.example', username: 'rl-account', password: 'rl-secret', transport: 'tcp' },
  maxConcurrentCalls: 30,
  callerId: { default: '075588886666', allowed: ['07558888667*'] },
};

async function ronglian(trunk: Record<string, unknown> = TRUNK): Promise<Carrier> {
  const h = await setupPlugin(plugin, { options: { trunks: { ronglian: trunk } } });
  return h.registry(carrierRefs.carriers).get('ronglian')!;
}

t.test('vendor defaults', async (t) => {
  const c = await ronglian();
  t.equal(c.vendor, 'ronglian');
  t.equal(c.gateway.register, true);
  t.equal(c.gateway.transport, 'tcp');
  t.same(c.codecs, ['PCMA', 'PCMU']);
  t.equal(c.dtmfMode, 'rfc2833');
  t.equal(c.maxConcurrentCalls, 30);
});

t.test('numbers, national by default and E.164 on request', async (t) => {
  const national = await ronglian();
  t.equal(national.normalizeNumber('+86 138 0013 8000', 'called'), '13800138000');
  t.equal(national.normalizeNumber('0755-8888-6666', 'called'), '075588886666');
  const e164 = await ronglian({ ...TRUNK, numbers: { format: 'e164' } });
  t.equal(e164.normalizeNumber('13800138000', 'called'), '+8613800138000');
  t.equal(e164.normalizeNumber('0755 8888 6666', 'called'), '+8675588886666');
  t.equal(e164.callerIdFor(), '+8675588886666');
  t.throws(() => national.normalizeNumber('+1 415 555 0100', 'called'), { code: 'VAPI_ERR_CARRIER_NUMBER' });
});

t.test('caller ID: default, a DID block by prefix, nothing else', async (t) => {
  const c = await ronglian();
  t.equal(c.callerIdFor('0755 8888 6671'), '075588886671');
  t.throws(() => c.callerIdFor('0755 8888 6680'), { code: 'VAPI_ERR_CARRIER_CALLER_ID' });
  t.equal(c.dialString('13800138000', { callerId: '075588886672' }), '{vapi_carrier=ronglian,origination_caller_id_number=075588886672}sofia/gateway/ronglian/13800138000');
});

t.test('bad options', async (t) => {
  const problems = plugin.validateOptions!({ trunks: { ronglian: { ...TRUNK, gateway: { ...TRUNK.gateway, proxy: 'sip.ronglian.example:99999' }, callerId: { default: 'front desk' } } } } as never);
  t.same(problems.map((p) => p.path.join('.')).sort(), ['trunks.ronglian.callerId.default', 'trunks.ronglian.gateway.proxy']);
  t.ok(problems.every((p) => p.fix.length > 10));
  await t.rejects(setupPlugin(plugin, { options: { trunks: { ronglian: { ...TRUNK, maxConcurrentCalls: 0 } } } }), { code: 'VAPI_ERR_CONFIG_VALUE' });
});
