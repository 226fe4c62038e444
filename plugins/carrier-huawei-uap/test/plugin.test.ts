/** carrier-huawei-uap: an IP trunk to a PBX: no registration, G.711 only, in-band DTMF by default, inbound IPs required. */
import t from 'tap';
import { carrierRefs, type Carrier } from '@vapi-cn/sdk-plugin-api';
import { setupPlugin } from '@vapi-cn/sdk-plugin-api/testkit';
import plugin from '../src/index.js';

const TRUNK = { gateway: { proxy: '10.20.0.5:5060' }, inboundIps: ['10.20.0.5', '10.20.0.6'], numbers: { dialPrefix: '9', areaCode: '010' }, callerId: { default: '01066668888' } };

async function uap(trunk: Record<string, unknown> = TRUNK): Promise<Carrier> {
  const h = await setupPlugin(plugin, { options: { trunks: { hq: trunk } } });
  return h.registry(carrierRefs.carriers).get('hq')!;
}

t.test('vendor defaults', async (t) => {
  const c = await uap();
  t.equal(c.vendor, 'huawei-uap');
  t.same(c.gateway, { name: 'hq', proxy: '10.20.0.5:5060', register: false, transport: 'udp', callerIdInFrom: true, params: {} });
  t.same(c.codecs, ['PCMA', 'PCMU']);
  t.equal(c.dtmfMode, 'inband');
  t.equal((await uap({ ...TRUNK, dtmfMode: 'rfc2833' })).dtmfMode, 'rfc2833');
  t.same((await uap({ ...TRUNK, codecs: ['PCMU'] })).codecs, ['PCMU']);
});

t.test('no registration, no other codecs, no SIP INFO DTMF', async (t) => {
  for (const bad of [
    { ...TRUNK, gateway: { proxy: '10.20.0.5', register: true } },
    { ...TRUNK, gateway: { proxy: '10.20.0.5', username: 'u', password: 'p' } },
    { ...TRUNK, codecs: ['G729'] },
    { ...TRUNK, codecs: ['PCMA', 'OPUS'] },
    { ...TRUNK, dtmfMode: 'info' },
  ]) {
    await t.rejects(setupPlugin(plugin, { options: { trunks: { hq: bad } } }), { code: 'VAPI_ERR_CONFIG_VALUE' }, JSON.stringify(bad));
  }
});

t.test('inbound IPs are required and checked', async (t) => {
  const missing = plugin.validateOptions!({ trunks: { hq: { gateway: { proxy: '10.20.0.5' } } } } as never);
  t.same(missing.map((p) => p.path), [['trunks', 'hq', 'inboundIps']]);
  t.match(missing[0]!.fix, /PBX's signalling addresses/);
  const bad = plugin.validateOptions!({ trunks: { hq: { ...TRUNK, inboundIps: ['10.20.0.5', 'uap.corp.local'] } } } as never);
  t.same(bad.map((p) => p.path), [['trunks', 'hq', 'inboundIps', 1]]);
  t.match(bad[0]!.message, /host names are not allowed/);
  await t.rejects(uap({ ...TRUNK, inboundIps: [] }), { code: 'VAPI_ERR_CARRIER_CONFIG', message: /trunks\.hq\.inboundIps/ });
});

t.test('numbers through the PBX: outside-line digit, local numbers completed with the area code', async (t) => {
  const c = await uap();
  const table: Array<[string, string]> = [
    ['13800138000', '913800138000'],
    ['+86 10 8888 6666', '901088886666'],
    ['88886666', '901088886666'],
    ['4001234567', '94001234567'],
  ];
  for (const [input, expected] of table) t.equal(c.normalizeNumber(input, 'called'), expected, input);
  t.equal(c.dialString('88886666'), '{vapi_carrier=hq,origination_caller_id_number=01066668888}sofia/gateway/hq/901088886666');
});

t.test('the PBX may present any number when allowAny is set; otherwise only its own', async (t) => {
  const strict = await uap();
  t.throws(() => strict.callerIdFor('13900139000'), { code: 'VAPI_ERR_CARRIER_CALLER_ID' });
  const open = await uap({ ...TRUNK, callerId: { default: '01066668888', allowAny: true } });
  t.equal(open.callerIdFor('8001'), '8001', 'an extension');
  t.equal(open.callerIdFor('+86 139 0013 9000'), '13900139000');
});
