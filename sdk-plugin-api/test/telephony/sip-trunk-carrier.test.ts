/** SipTrunkCarrier: validation, number rules, caller-ID rules and dial strings of a generic trunk. */
import t from 'tap';
import { isVapiError, type VapiError } from '../../src/errors.js';
import { SipTrunkCarrier } from '../../src/telephony/sip-trunk-carrier.js';
import { sipTrunkProblems } from '../../src/telephony/sip-trunk-problems.js';
import { GENERIC_TRUNK_PROFILE, type SipTrunkOptions } from '../../src/telephony/sip-trunk-schema.js';

const IP_TRUNK: SipTrunkOptions = { gateway: { proxy: '203.0.113.5:5060' }, inboundIps: ['203.0.113.0/28'] };

function thrown(fn: () => unknown): VapiError {
  try {
    fn();
  } catch (error) {
    if (isVapiError(error)) return error;
    throw error;
  }
  throw new Error('expected a VapiError');
}

t.test('defaults of a generic IP trunk', async (t) => {
  const carrier = new SipTrunkCarrier('ct-sh', IP_TRUNK);
  t.equal(carrier.vendor, 'sip-trunk');
  t.same(carrier.gateway, { name: 'ct-sh', proxy: '203.0.113.5:5060', register: false, transport: 'udp', callerIdInFrom: true, params: {} });
  t.same(carrier.codecs, ['PCMA', 'PCMU']);
  t.equal(carrier.dtmfMode, 'rfc2833');
  t.same(carrier.inboundIps, ['203.0.113.0/28']);
  t.equal(carrier.maxConcurrentCalls, undefined);
});

t.test('a registering trunk keeps its credentials, and toJSON() redacts the password', async (t) => {
  const carrier = new SipTrunkCarrier('voip', { gateway: { proxy: 'sip.example.cn', register: true, username: '02112345678', password: 's3cret', transport: 'tcp' }, maxConcurrentCalls: 20 });
  t.equal(carrier.gateway.password, 's3cret');
  t.equal(carrier.gateway.callerIdInFrom, false, 'a registering trunk keeps its account in From');
  t.equal(carrier.maxConcurrentCalls, 20);
  const json = JSON.stringify(carrier);
  t.notMatch(json, /s3cret/);
  t.match(json, /\[redacted\]/);
});

t.test('every problem is reported with its path and fix', async (t) => {
  const problems = sipTrunkProblems(
    {
      gateway: { proxy: 'sip:carrier.cn;transport=tcp', register: true, params: { proxy: 'x', 'Bad Name': 'y' } },
      codecs: ['PCMA', 'PCMA'],
      inboundIps: ['10.1.1.300', '0.0.0.0/0'],
      numbers: { areaCode: '571', stripLocalAreaCode: true, mobileZeroPrefix: 'out-of-area', localMobileSegments: ['2000'] },
      callerId: { default: 'reception', allowed: ['0571*', 'abc'] },
    },
    GENERIC_TRUNK_PROFILE,
  );
  const byPath = new Map(problems.map((p) => [p.path.join('.'), p]));
  t.same(
    [...byPath.keys()].sort(),
    [
      'callerId.allowed.1',
      'callerId.default',
      'codecs.1',
      'gateway.params.Bad Name',
      'gateway.params.proxy',
      'gateway.password',
      'gateway.proxy',
      'gateway.username',
      'inboundIps.0',
      'inboundIps.1',
      'numbers.areaCode',
      'numbers.localMobileSegments.0',
    ].sort(),
  );
  t.match(byPath.get('gateway.proxy')!.fix, /without sip:/);
  t.match(byPath.get('gateway.password')!.fix, /\$\{env:/);
  t.match(byPath.get('inboundIps.0')!.message, /10\.1\.1\.300/);
  t.ok(problems.every((p) => p.code === 'VAPI_ERR_CARRIER_CONFIG' && p.fix.length > 0));
});

t.test('a trunk that does not register needs inbound addresses', async (t) => {
  const problems = sipTrunkProblems({ gateway: { proxy: '203.0.113.5' } });
  t.same(problems.map((p) => p.path), [['inboundIps']]);
  t.match(problems[0]!.fix, /register: true/);
});

t.test('proxy forms', async (t) => {
  for (const proxy of ['sip.example.cn', 'sip.example.cn:5060', '203.0.113.5', '[2001:db8::5]:5061']) {
    t.same(sipTrunkProblems({ ...IP_TRUNK, gateway: { proxy } }), [], proxy);
  }
  for (const proxy of ['2001:db8::5', 'sip.example.cn:0', 'sip.example.cn:70000', '999.1.1.1', 'under_score.cn', 'sips:x.cn']) {
    t.equal(sipTrunkProblems({ ...IP_TRUNK, gateway: { proxy } }).length, 1, proxy);
  }
});

t.test('the constructor refuses bad options with VAPI_ERR_CARRIER_CONFIG naming each path', async (t) => {
  const error = thrown(() => new SipTrunkCarrier('hq', { gateway: { proxy: '10.1.1.1' }, inboundIps: ['10.1.1.0/33'] }, { configPath: 'plugins.carrier-sip-trunk.options.trunks.hq' }));
  t.equal(error.code, 'VAPI_ERR_CARRIER_CONFIG');
  t.match(error.message, /plugins\.carrier-sip-trunk\.options\.trunks\.hq\.inboundIps\[0\]: '10\.1\.1\.0\/33' has an invalid prefix length/);
  t.match(error.fix, /0 to 32/);
  t.equal(thrown(() => new SipTrunkCarrier('Bad Id', IP_TRUNK)).code, 'VAPI_ERR_CARRIER_CONFIG');
});

t.test('called numbers by trunk rules', async (t) => {
  const rows: Array<[SipTrunkOptions['numbers'], string, string]> = [
    [{}, '+86 138 0013 8000', '13800138000'],
    [{}, '(010) 8888-6666', '01088886666'],
    [{}, '400-123-4567', '4001234567'],
    [{ format: 'e164' }, '13800138000', '+8613800138000'],
    [{ format: 'e164' }, '01088886666', '+861088886666'],
    [{ format: 'e164' }, '4001234567', '4001234567'],
    [{ format: 'e164-without-plus' }, '13800138000', '8613800138000'],
    [{ mobileZeroPrefix: 'always' }, '13800138000', '013800138000'],
    [{ mobileZeroPrefix: 'out-of-area', localMobileSegments: ['138001'] }, '13800138000', '13800138000'],
    [{ mobileZeroPrefix: 'out-of-area', localMobileSegments: ['138001'] }, '13900139000', '013900139000'],
    [{ areaCode: '0571', stripLocalAreaCode: true }, '0571 8888 6666', '88886666'],
    [{ areaCode: '0571', stripLocalAreaCode: true }, '010 8888 6666', '01088886666'],
    [{ areaCode: '0571' }, '88886666', '057188886666'],
    [{ dialPrefix: '17951' }, '13800138000', '1795113800138000'],
    [{ dialPrefix: '9', mobileZeroPrefix: 'always' }, '13800138000', '9013800138000'],
    [{ allowShortNumbers: true }, '95555', '95555'],
    [{ allowInternational: true }, '+44 20 7946 0958', '00442079460958'],
    [{ allowInternational: true, format: 'e164' }, '0044 20 7946 0958', '+442079460958'],
  ];
  for (const [numbers, input, expected] of rows) {
    const carrier = new SipTrunkCarrier('t', { ...IP_TRUNK, numbers });
    t.equal(carrier.normalizeNumber(input, 'called'), expected, `${JSON.stringify(numbers)} ${input}`);
  }
});

t.test('numbers a trunk cannot dial are refused with the reason, masked', async (t) => {
  const carrier = new SipTrunkCarrier('t', { ...IP_TRUNK, numbers: { allowShortNumbers: true } });
  const rows: Array<[string, RegExp, RegExp]> = [
    ['+44 20 7946 0958', /international numbers are not enabled/, /allowInternational/],
    ['110', /emergency/, /emergency/],
    ['88886666', /not a Chinese/, /areaCode/],
    ['hello', /not a Chinese/, /13800138000/],
  ];
  for (const [input, message, fix] of rows) {
    const error = thrown(() => carrier.normalizeNumber(input, 'called'));
    t.equal(error.code, 'VAPI_ERR_CARRIER_NUMBER', input);
    t.match(error.message, message, input);
    t.match(error.fix, fix, input);
  }
  const noShort = new SipTrunkCarrier('t', IP_TRUNK);
  t.match(thrown(() => noShort.normalizeNumber('95555', 'called')).fix, /allowShortNumbers/);
  t.notMatch(thrown(() => noShort.normalizeNumber('+44 20 7946 0958', 'called')).message, /79460958/, 'the number is masked');
});

t.test('caller ID: the default, allowed numbers and prefixes; anything else refused', async (t) => {
  const carrier = new SipTrunkCarrier('t', { ...IP_TRUNK, callerId: { default: '0571-8888-6666', allowed: ['13800138000', '02166660*'] } }, { configPath: 'plugins.x.options.trunks.t' });
  t.equal(carrier.callerIdFor(), '057188886666');
  t.equal(carrier.callerIdFor('+86 571 8888 6666'), '057188886666');
  t.equal(carrier.callerIdFor('+8613800138000'), '13800138000');
  t.equal(carrier.callerIdFor('021 6666 0123'), '02166660123');
  const error = thrown(() => carrier.callerIdFor('13900139000'));
  t.equal(error.code, 'VAPI_ERR_CARRIER_CALLER_ID');
  t.notMatch(error.message, /13900139000/, 'masked');
  t.match(error.fix, /callerId\.allowed under plugins\.x\.options\.trunks\.t/);

  const e164 = new SipTrunkCarrier('t', { ...IP_TRUNK, numbers: { format: 'e164' }, callerId: { default: '057188886666' } });
  t.equal(e164.callerIdFor(), '+8657188886666');

  const open = new SipTrunkCarrier('t', { ...IP_TRUNK, callerId: { allowAny: true } });
  t.equal(open.callerIdFor('13900139000'), '13900139000');
  t.equal(thrown(() => open.callerIdFor()).code, 'VAPI_ERR_CARRIER_CALLER_ID', 'no default, no from');
});

t.test('dial strings', async (t) => {
  const carrier = new SipTrunkCarrier('ct-sh', { ...IP_TRUNK, numbers: { dialPrefix: '0' }, callerId: { default: '02166668888', allowed: ['13800138000'] } });
  t.equal(carrier.dialString('+86 139 0013 9000'), '{vapi_carrier=ct-sh,origination_caller_id_number=02166668888}sofia/gateway/ct-sh/013900139000');
  t.equal(
    carrier.dialString('13900139000', { callerId: '13800138000', variables: { vapi_call_id: 'c-1' } }),
    '{vapi_carrier=ct-sh,origination_caller_id_number=13800138000,vapi_call_id=c-1}sofia/gateway/ct-sh/013900139000',
  );
  t.equal(new SipTrunkCarrier('plain', IP_TRUNK).dialString('13900139000'), '{vapi_carrier=plain}sofia/gateway/plain/13900139000', 'no caller ID configured: the gateway decides');
  t.equal(thrown(() => carrier.dialString('13900139000', { callerId: '13700137000' })).code, 'VAPI_ERR_CARRIER_CALLER_ID');
  t.equal(thrown(() => carrier.dialString('13900139000', { variables: { x: 'a,b' } })).code, 'VAPI_ERR_CARRIER_DIAL_VARIABLE');
  t.equal(thrown(() => carrier.dialString('13900139000', { variables: { 'x y': 'a' } })).code, 'VAPI_ERR_CARRIER_DIAL_VARIABLE');
  t.equal(thrown(() => carrier.dialString('abc')).code, 'VAPI_ERR_CARRIER_NUMBER');
});
