/** carrier-sip-trunk: several generic trunks from one plugin entry, everything configurable. */
import t from 'tap';
import { carrierRefs } from '@vapi-cn/sdk-plugin-api';
import { setupPlugin } from '@vapi-cn/sdk-plugin-api/testkit';
import plugin from '../src/index.js';

const TRUNKS = {
  'ct-ims': {
    gateway: { proxy: 'ims.ct.example:5060', register: true, username: '+862161234567', password: 'ims-secret', realm: 'ims.ct.example', fromDomain: 'ims.ct.example', pingSeconds: 30, params: { 'expire-seconds': '600' } },
    codecs: ['PCMA', 'PCMU', 'G729'],
    dtmfMode: 'info',
    numbers: { format: 'e164' },
    callerId: { default: '+86 21 6123 4567' },
  },
  'lab-pbx': { gateway: { proxy: '[2001:db8::20]:5060' }, inboundIps: ['2001:db8::/64'], callerId: { allowAny: true } },
};

t.test('one entry, several trunks', async (t) => {
  const h = await setupPlugin(plugin, { options: { trunks: TRUNKS } });
  const registry = h.registry(carrierRefs.carriers);
  t.same(registry.keys(), ['ct-ims', 'lab-pbx']);
  const ims = registry.get('ct-ims')!;
  t.same(ims.gateway, {
    name: 'ct-ims',
    proxy: 'ims.ct.example:5060',
    register: true,
    transport: 'udp',
    callerIdInFrom: false,
    realm: 'ims.ct.example',
    fromDomain: 'ims.ct.example',
    username: '+862161234567',
    password: 'ims-secret',
    pingSeconds: 30,
    params: { 'expire-seconds': '600' },
  });
  t.same(ims.codecs, ['PCMA', 'PCMU', 'G729']);
  t.equal(ims.dtmfMode, 'info');
  t.equal(ims.dialString('13800138000'), '{vapi_carrier=ct-ims,origination_caller_id_number=+862161234567}sofia/gateway/ct-ims/+8613800138000');
  const pbx = registry.get('lab-pbx')!;
  t.same(pbx.inboundIps, ['2001:db8::/64']);
  t.equal(pbx.callerIdFor('8001'), '8001');
});

t.test('an unknown codec is refused; params may not override the trunk options', async (t) => {
  await t.rejects(setupPlugin(plugin, { options: { trunks: { x: { ...TRUNKS['lab-pbx'], codecs: ['G711'] } } } }), { code: 'VAPI_ERR_CONFIG_VALUE', message: /codecs\/0/ });
  const problems = plugin.validateOptions!({ trunks: { x: { ...TRUNKS['lab-pbx'], gateway: { proxy: '203.0.113.1', params: { password: 'p' } } } } } as never);
  t.same(problems.map((p) => p.path), [['trunks', 'x', 'gateway', 'params', 'password']]);
  t.match(problems[0]!.fix, /gateway options/);
});
