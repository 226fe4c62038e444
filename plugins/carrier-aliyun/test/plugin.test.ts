/** carrier-aliyun: region → proxy, IP whitelist without registration, bought numbers only as caller ID. */
import t, { type Test } from 'tap';
import { carrierRefs, type Carrier } from '@vapi-cn/sdk-plugin-api';
import { setupPlugin } from '@vapi-cn/sdk-plugin-api/testkit';
import plugin, { aliyunProxy } from '../src/index.js';

const TRUNK = {
  region: 'shanghai',
  inboundIps: ['47.103.10.1', '47.103.10.2'],
  numbers: { dialPrefix: '8899' },
  callerId: { default: '0571-8888-6666', allowed: ['05718888667'] },
};

async function carrier(t: Test, trunk: Record<string, unknown> = TRUNK, id = 'aliyun'): Promise<Carrier> {
  const h = await setupPlugin(plugin, { options: { trunks: { [id]: trunk } } });
  t.equal(h.registry(carrierRefs.carriers).providerOf(id), 'carrier-aliyun');
  return h.registry(carrierRefs.carriers).get(id)!;
}

t.test('vendor defaults: region proxy, no registration, G.711, RFC 2833', async (t) => {
  t.same(plugin.provides, [carrierRefs.carriers]);
  const c = await carrier(t);
  t.equal(c.vendor, 'aliyun');
  t.same(c.gateway, { name: 'aliyun', proxy: 'sh.siptrunk.aliyun.com:5060', register: false, transport: 'udp', callerIdInFrom: true, params: {} });
  t.same(c.codecs, ['PCMA', 'PCMU']);
  t.equal(c.dtmfMode, 'rfc2833');
  t.same(c.inboundIps, ['47.103.10.1/32', '47.103.10.2/32']);
  t.equal(aliyunProxy('beijing'), 'bj.siptrunk.aliyun.com:5060');
  t.equal(aliyunProxy('shenzhen'), 'sz.siptrunk.aliyun.com:5060');
  t.equal((await carrier(t, { ...TRUNK, region: undefined, gateway: { proxy: '47.103.10.9' } })).gateway.proxy, '47.103.10.9', 'an explicit proxy wins');
});

t.test('the agreed prefix goes before every called number', async (t) => {
  const c = await carrier(t);
  const table: Array<[string, string]> = [
    ['+86 138 0013 8000', '889913800138000'],
    ['010-8888-6666', '889901088886666'],
    ['400 123 4567', '88994001234567'],
  ];
  for (const [input, expected] of table) t.equal(c.normalizeNumber(input, 'called'), expected, input);
  t.equal(c.dialString('13800138000'), '{vapi_carrier=aliyun,origination_caller_id_number=057188886666}sofia/gateway/aliyun/889913800138000');
});

t.test('only numbers bought from Aliyun may be presented', async (t) => {
  const c = await carrier(t);
  t.equal(c.callerIdFor(), '057188886666');
  t.equal(c.callerIdFor('0571 8888 667'), '05718888667');
  t.throws(() => c.callerIdFor('13900139000'), { code: 'VAPI_ERR_CARRIER_CALLER_ID' });
  // allowAny is not an Aliyun option at all.
  await t.rejects(setupPlugin(plugin, { options: { trunks: { aliyun: { ...TRUNK, callerId: { allowAny: true } } } } }), { code: 'VAPI_ERR_CONFIG_VALUE' });
});

t.test('bad options: each problem names its path and fix', async (t) => {
  const problems = plugin.validateOptions!({ trunks: { aliyun: { inboundIps: ['47.103.10.300'] }, 'Bad Id': {} } } as never);
  const paths = problems.map((p) => p.path.join('.'));
  t.same(paths.sort(), ['trunks.Bad Id', 'trunks.aliyun.inboundIps.0', 'trunks.aliyun.region'].sort());
  t.match(problems.find((p) => p.path.includes('region'))!.fix, /shanghai, beijing or shenzhen/);
  t.same(plugin.validateOptions!({ trunks: { aliyun: TRUNK } } as never), []);
  t.match(plugin.validateOptions!({ trunks: { aliyun: { region: 'beijing' } } } as never)[0]!.fix, /signalling addresses/, 'an IP trunk needs inboundIps');
  await t.rejects(setupPlugin(plugin, { options: { trunks: { aliyun: { region: 'hangzhou' } } } }), { code: 'VAPI_ERR_CONFIG_VALUE' });
  await t.rejects(setupPlugin(plugin, { options: { trunks: { aliyun: { region: 'beijing', inboundIps: ['10.0.0.1/8'] } } } }), {
    code: 'VAPI_ERR_CARRIER_CONFIG',
    message: /plugins\.carrier-aliyun\.options\.trunks\.aliyun\.inboundIps\[0\]: '10\.0\.0\.1\/8' has host bits set/,
  });
});
