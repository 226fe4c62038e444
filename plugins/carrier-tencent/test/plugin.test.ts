/** carrier-tencent: registers with an account by default; Tencent's number options (Prefix, MobileNddPrefix, LocalNumberTrimAC). */
import t from 'tap';
import { carrierRefs, type Carrier } from '@vapi-cn/sdk-plugin-api';
import { setupPlugin } from '@vapi-cn/sdk-plugin-api/testkit';
import plugin from '../src/index.js';

const TRUNK = {
  gateway: { proxy: 'sip.tencent.example:5060', username: '02161234567', password: 'tc-secret' },
  numbers: { areaCode: '021', stripLocalAreaCode: true, mobileZeroPrefix: 'out-of-area', localMobileSegments: ['1381', '1391'] },
  callerId: { default: '02161234567' },
};

async function tencent(trunk: Record<string, unknown> = TRUNK): Promise<{ carrier: Carrier; logs: string }> {
  const h = await setupPlugin(plugin, { options: { trunks: { tencent: trunk } } });
  return { carrier: h.registry(carrierRefs.carriers).get('tencent')!, logs: JSON.stringify(h.logs) };
}

t.test('registers with the account; the password is never logged', async (t) => {
  const { carrier, logs } = await tencent();
  t.equal(carrier.vendor, 'tencent');
  t.equal(carrier.gateway.register, true);
  t.equal(carrier.gateway.username, '02161234567');
  t.equal(carrier.gateway.password, 'tc-secret');
  t.equal(carrier.gateway.callerIdInFrom, false);
  t.equal(carrier.dtmfMode, 'rfc2833');
  t.match(logs, /carrier ready/);
  t.notMatch(logs, /tc-secret/);
});

t.test('account and password are required unless the line is IP-whitelisted', async (t) => {
  const problems = plugin.validateOptions!({ trunks: { tencent: { gateway: { proxy: 'sip.tencent.example' } } } } as never);
  t.same(problems.map((p) => p.path.join('.')).sort(), ['trunks.tencent.gateway.password', 'trunks.tencent.gateway.username']);
  const ipLine = plugin.validateOptions!({ trunks: { tencent: { gateway: { proxy: 'sip.tencent.example', register: false }, inboundIps: ['203.0.113.7'] } } } as never);
  t.same(ipLine, []);
  t.same(plugin.validateOptions!({ trunks: {} } as never).map((p) => p.path), [['trunks']]);
});

t.test("number rules: local landlines without area code, 0 before other areas' mobiles", async (t) => {
  const { carrier } = await tencent();
  const table: Array<[string, string]> = [
    ['021 6123 4567', '61234567'],
    ['010 8888 6666', '01088886666'],
    ['13812345678', '13812345678'],
    ['13912345678', '13912345678'],
    ['13712345678', '013712345678'],
    ['+86 186 0000 1111', '018600001111'],
  ];
  for (const [input, expected] of table) t.equal(carrier.normalizeNumber(input, 'called'), expected, input);
  t.equal(carrier.normalizeNumber('+86 21 6123 4567', 'calling'), '02161234567', 'caller IDs keep their area code');
});

t.test('caller ID: only the numbers bought from Tencent', async (t) => {
  const { carrier } = await tencent();
  t.equal(carrier.dialString('13712345678'), '{vapi_carrier=tencent,origination_caller_id_number=02161234567}sofia/gateway/tencent/013712345678');
  t.throws(() => carrier.callerIdFor('02161234568'), { code: 'VAPI_ERR_CARRIER_CALLER_ID' });
  await t.rejects(setupPlugin(plugin, { options: { trunks: { tencent: { ...TRUNK, callerId: { allowAny: true } } } } }), { code: 'VAPI_ERR_CONFIG_VALUE' });
});
