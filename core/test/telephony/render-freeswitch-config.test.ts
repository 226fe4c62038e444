/**
 * `vapi-cn freeswitch render-config`: the shipped telephony example with all five carriers
 * enabled, rendered and parsed back as XML; hand-off modes; errors that name the path and fix
 * and leave nothing written.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { main } from '../../src/cli.js';
import { ConfigInvalidError } from '../../src/config/problems.js';
import { renderFreeswitchConfig } from '../../src/telephony/render-freeswitch-config.js';

const { parseStringPromise } = createRequire(import.meta.url)('xml2js') as { parseStringPromise(xml: string): Promise<any> };
const EXAMPLE = fileURLToPath(new URL('../../../config/examples/telephony.yaml', import.meta.url));

/** Everything the example needs to enable all five carriers. */
const ALL_CARRIERS: Record<string, string> = {
  VAPI_CN_CARRIER_SIP_TRUNK: 'true',
  SIP_TRUNK_PROXY: 'ims.ct.example:5060',
  SIP_TRUNK_INBOUND_IP: '203.0.113.0/28',
  SIP_TRUNK_CALLER_ID: '02161234567',
  VAPI_CN_CARRIER_ALIYUN: 'true',
  ALIYUN_SIP_REGION: 'beijing',
  ALIYUN_INBOUND_IP_1: '39.96.10.1',
  ALIYUN_INBOUND_IP_2: '39.96.10.2',
  ALIYUN_DIAL_PREFIX: '8899',
  ALIYUN_CALLER_ID: '01066661111',
  VAPI_CN_CARRIER_TENCENT: 'true',
  TENCENT_SIP_PROXY: 'sip.tencent.example',
  TENCENT_SIP_USERNAME: '02161230000',
  TENCENT_SIP_PASSWORD: 'p<a&s"s\'>w',
  VAPI_CN_CARRIER_RONGLIAN: 'true',
  RONGLIAN_SIP_PROXY: 'sip.ronglian.example:5060',
  RONGLIAN_SIP_USERNAME: 'rl-account',
  RONGLIAN_SIP_PASSWORD: 'rl-secret',
  VAPI_CN_CARRIER_HUAWEI_UAP: 'true',
  HUAWEI_UAP_IP: '10.20.0.5',
  HUAWEI_UAP_CALLER_ID: '01066668888',
};

async function tempDir(t: Test): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vapi-fs-render-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function configFile(dir: string, yaml: string): Promise<string> {
  const file = path.join(dir, 'vapi.yaml');
  await writeFile(file, yaml);
  return file;
}

const xml = async (dir: string, relative: string) => parseStringPromise(await readFile(path.join(dir, relative), 'utf8'));
const params = (gateway: any) => Object.fromEntries((gateway.param as any[]).map((p) => [p.$.name, p.$.value]));
const variables = (gateway: any) => (gateway.variables[0].variable as any[]).map((v) => v.$);
const actions = (condition: any) => ((condition.action ?? []) as any[]).map((a) => `${a.$.application}${a.$.data === undefined ? '' : ` ${a.$.data}`}`);

t.test('all five carriers of the telephony example', async (t) => {
  const out = await tempDir(t);
  const result = await renderFreeswitchConfig({ configFile: EXAMPLE, outDir: out, env: ALL_CARRIERS });
  t.same(result.carriers.map((c) => `${c.id}:${c.vendor}`).sort(), ['aliyun:aliyun', 'ronglian:ronglian', 'tencent:tencent', 'trunk:sip-trunk', 'uap:huawei-uap']);
  t.same(result.handOff, { mode: 'inbound' });
  t.notMatch(result.notes.join('\n'), /transport-freeswitch is not enabled/, 'the example enables the transport');
  t.same(result.written.sort(), [
    'autoload_configs/acl.conf.xml',
    'dialplan/default/00_vapi_test.xml',
    'dialplan/public/00_vapi_carriers.xml',
    'sip_profiles/external/aliyun.xml',
    'sip_profiles/external/ronglian.xml',
    'sip_profiles/external/tencent.xml',
    'sip_profiles/external/trunk.xml',
    'sip_profiles/external/uap.xml',
  ]);

  // Gateways
  const gateway = async (id: string) => (await xml(out, `sip_profiles/external/${id}.xml`)).include.gateway[0];
  const aliyun = await gateway('aliyun');
  t.equal(aliyun.$.name, 'aliyun');
  t.same(params(aliyun), { proxy: 'bj.siptrunk.aliyun.com:5060', register: 'false', 'register-transport': 'udp', 'caller-id-in-from': 'true', context: 'public' });
  t.same(variables(aliyun), [
    { name: 'vapi_carrier', value: 'aliyun' },
    { name: 'absolute_codec_string', value: 'PCMA,PCMU', direction: 'outbound' },
    { name: 'dtmf_type', value: 'rfc2833', direction: 'outbound' },
  ]);
  const tencent = params(await gateway('tencent'));
  t.equal(tencent.password, 'p<a&s"s\'>w', 'XML-escaped on the way out, exact on the way back');
  t.equal(tencent.username, '02161230000');
  t.equal(tencent.register, 'true');
  t.equal(tencent['caller-id-in-from'], 'false');
  t.equal(tencent.extension, 'auto_to_user', 'calls to the registered gateway keep the dialled number');
  t.equal(params(await gateway('ronglian')).password, 'rl-secret');
  const uap = await gateway('uap');
  t.same(params(uap), { proxy: '10.20.0.5', register: 'false', 'register-transport': 'udp', 'caller-id-in-from': 'true', context: 'public' });
  t.same(variables(uap).slice(1), [
    { name: 'absolute_codec_string', value: 'PCMA,PCMU', direction: 'outbound' },
    { name: 'dtmf_type', value: 'none', direction: 'outbound' },
    { name: 'execute_on_answer', value: 'spandsp_start_dtmf', direction: 'outbound' },
  ]);
  t.notOk(params(uap).password, 'an IP trunk has no password');

  // ACL
  const lists = Object.fromEntries(((await xml(out, 'autoload_configs/acl.conf.xml')).configuration['network-lists'][0].list as any[]).map((l) => [l.$.name, l]));
  const cidrs = (name: string) => ((lists[name].node ?? []) as any[]).map((n) => n.$.cidr);
  t.same(cidrs('vapi_carriers').sort(), ['10.20.0.5/32', '203.0.113.0/28', '39.96.10.1/32', '39.96.10.2/32'].sort());
  t.same(cidrs('vapi_carrier_aliyun'), ['39.96.10.1/32', '39.96.10.2/32']);
  t.same(cidrs('vapi_carrier_uap'), ['10.20.0.5/32']);
  t.same(cidrs('vapi_carrier_tencent'), [], 'a registering trunk without inboundIps has an empty list');
  t.ok(Object.values(lists).every((l: any) => l.$.default === 'deny'));
  t.ok(lists.domains, 'the stock list the default profiles refer to is kept');

  // Public dialplan
  const extensions = Object.fromEntries(((await xml(out, 'dialplan/public/00_vapi_carriers.xml')).include.extension as any[]).map((e) => [e.$.name, e]));
  t.same(Object.keys(extensions).sort(), ['vapi_carrier_aliyun', 'vapi_carrier_ronglian', 'vapi_carrier_tencent', 'vapi_carrier_trunk', 'vapi_carrier_uap']);
  const [match, handOff] = extensions.vapi_carrier_tencent.condition;
  t.equal(match.$.regex, 'any');
  t.same((match.regex as any[]).map((r) => [r.$.field, r.$.expression]), [
    ['${acl(${network_addr} vapi_carrier_tencent)}', '^true$'],
    ['${sip_gateway}', '^tencent$'],
  ]);
  t.same(actions(handOff), ['set vapi_carrier=tencent', 'set absolute_codec_string=PCMA,PCMU', 'park']);
  t.same((extensions.vapi_carrier_uap.condition[0].regex as any[]).length, 1, 'an IP trunk is recognised by address only');
  t.same(actions(extensions.vapi_carrier_uap.condition[1]), ['set vapi_carrier=uap', 'set absolute_codec_string=PCMA,PCMU', 'set execute_on_answer=spandsp_start_dtmf', 'park']);

  const test = (await xml(out, 'dialplan/default/00_vapi_test.xml')).include.extension[0];
  t.equal(test.condition[0].$.expression, '^9000$');
  t.equal(actions(test.condition[0]).at(-1), 'park');
});

t.test('outbound mode: the dialplan opens a socket to the transport', async (t) => {
  const dir = await tempDir(t);
  const yaml = (listen: string) => `
plugins:
  carrier-huawei-uap:
    options: { trunks: { uap: { gateway: { proxy: 10.20.0.5 }, inboundIps: [10.20.0.5] } } }
  transport-freeswitch:
    options: { nodes: [{ host: 127.0.0.1, password: pw }], mode: outbound${listen} }
`;
  const out = path.join(dir, 'fs');
  const result = await renderFreeswitchConfig({ configFile: await configFile(dir, yaml(', outboundListen: { host: 127.0.0.1, port: 9090 }')), outDir: out });
  t.same(result.handOff, { mode: 'outbound', host: '127.0.0.1', port: 9090 });
  const extension = (await xml(out, 'dialplan/public/00_vapi_carriers.xml')).include.extension[0];
  t.same(actions(extension.condition[1]).slice(-2), ['socket 127.0.0.1:9090 async full', 'respond 503 Service Unavailable']);
  t.equal(actions((await xml(out, 'dialplan/default/00_vapi_test.xml')).include.extension[0].condition[0]).at(-2), 'socket 127.0.0.1:9090 async full');

  const wildcard = await renderFreeswitchConfig({ configFile: await configFile(dir, yaml(', outboundListen: { host: 0.0.0.0 }')), outDir: out });
  t.same(wildcard.handOff, { mode: 'outbound', host: '127.0.0.1', port: 8084 }, "FreeSWITCH's socket default port");
  t.match(wildcard.notes.join('\n'), /every interface/);

  const sideways = await renderFreeswitchConfig({ configFile: await configFile(dir, yaml('').replace('mode: outbound', 'mode: sideways')), outDir: out }).catch((e: unknown) => e);
  t.ok(sideways instanceof ConfigInvalidError);
  t.match((sideways as ConfigInvalidError).problems, [{ path: 'plugins.transport-freeswitch.options.mode', fix: /inbound \(park \+ ESL\) or outbound/ }]);
  const portZero = await renderFreeswitchConfig({ configFile: await configFile(dir, yaml(', outboundListen: { port: 0 }')), outDir: out }).catch((e: unknown) => e);
  t.match((portZero as ConfigInvalidError).problems, [{ path: 'plugins.transport-freeswitch.options.outboundListen.port' }]);
});

t.test('a bad IP fails with its path and fix, and nothing is written', async (t) => {
  const dir = await tempDir(t);
  const out = path.join(dir, 'fs');
  const env = { ...ALL_CARRIERS, HUAWEI_UAP_IP: '10.20.0.500', ALIYUN_INBOUND_IP_2: '39.96.10.0/16' };
  const error = await renderFreeswitchConfig({ configFile: EXAMPLE, outDir: out, env }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(error instanceof ConfigInvalidError);
  const problems = new Map((error as ConfigInvalidError).problems.map((p) => [p.path, p]));
  t.match(problems.get('plugins.carrier-huawei-uap.options.trunks.uap.inboundIps[0]'), { code: 'VAPI_ERR_CARRIER_CONFIG', message: /'10\.20\.0\.500' is not an IP address/, fix: /CIDR/ });
  t.match(problems.get('plugins.carrier-huawei-uap.options.trunks.uap.gateway.proxy'), { message: /10\.20\.0\.500/ });
  t.match(problems.get('plugins.carrier-aliyun.options.trunks.aliyun.inboundIps[1]'), { message: /host bits/, fix: /39\.96\.0\.0\/16/ });
  t.notOk(existsSync(out), 'nothing written');
});

t.test('an unknown codec names the path and the codecs the carrier supports', async (t) => {
  const dir = await tempDir(t);
  const yaml = `
plugins:
  carrier-huawei-uap:
    options: { trunks: { uap: { gateway: { proxy: 10.20.0.5 }, inboundIps: [10.20.0.5], codecs: [PCMA, G729] } } }
`;
  const out = path.join(dir, 'fs');
  const error = (await renderFreeswitchConfig({ configFile: await configFile(dir, yaml), outDir: out }).catch((e: unknown) => e)) as ConfigInvalidError;
  t.equal(error.problems.length, 1);
  // ajv names array items by their JSON-pointer segment: codecs["1"].
  t.match(error.problems[0]!.path, /^plugins\.carrier-huawei-uap\.options\.trunks\.uap\.codecs(\[1\]|\["1"\])$/);
  t.match(error.problems[0]!.message, /must be one of: "PCMA", "PCMU", got "G729"/);
  t.notOk(existsSync(out));
});

t.test('no carrier enabled; a carrier id that does not exist', async (t) => {
  const dir = await tempDir(t);
  await t.rejects(renderFreeswitchConfig({ configFile: await configFile(dir, 'plugins: {}\n'), outDir: path.join(dir, 'fs') }), { code: 'VAPI_ERR_FREESWITCH_NO_CARRIERS', fix: /carrier-huawei-uap/ });
  const typo = await renderFreeswitchConfig({ configFile: await configFile(dir, 'plugins:\n  carrier-aliyn: {}\n'), outDir: path.join(dir, 'fs') }).catch((e: unknown) => e);
  t.match((typo as ConfigInvalidError).problems, [{ path: 'plugins.carrier-aliyn', code: 'VAPI_ERR_PLUGIN_NOT_FOUND', fix: /carrier-aliyun/ }]);
});

t.test('gateways of carriers no longer enabled are removed; files not ours are kept', async (t) => {
  const dir = await tempDir(t);
  const out = path.join(dir, 'fs');
  await mkdir(path.join(out, 'sip_profiles/external'), { recursive: true });
  await writeFile(path.join(out, 'sip_profiles/external/hand-made.xml'), '<include/>');
  const twoTrunks = `
plugins:
  carrier-sip-trunk:
    options:
      trunks:
        a: { gateway: { proxy: 203.0.113.1 }, inboundIps: [203.0.113.1] }
        b: { gateway: { proxy: 203.0.113.2 }, inboundIps: [203.0.113.2] }
`;
  await renderFreeswitchConfig({ configFile: await configFile(dir, twoTrunks), outDir: out });
  const second = await renderFreeswitchConfig({ configFile: await configFile(dir, twoTrunks.replace(/\n\s+b: .*\n/, '\n')), outDir: out });
  t.same(second.removed, ['sip_profiles/external/b.xml']);
  t.same((await readdir(path.join(out, 'sip_profiles/external'))).sort(), ['a.xml', 'hand-made.xml']);
});

t.test('the CLI prints what it wrote, never a password; usage and config errors', async (t) => {
  const dir = await tempDir(t);
  const out = path.join(dir, 'fs');
  const file = await configFile(
    dir,
    `
plugins:
  carrier-tencent:
    options: { trunks: { tc: { gateway: { proxy: sip.tencent.example, username: acct, password: very-secret-pw } } } }
`,
  );
  const lines: string[] = [];
  const io = { out: (s: string) => lines.push(s), err: (s: string) => lines.push(s) };
  t.equal(await main(['freeswitch', 'render-config', '--config', file, '--out', out], io), 0);
  const printed = lines.join('\n');
  t.match(printed, /carriers: tc \(tencent\); hand-off: park/);
  t.match(printed, new RegExp(`wrote ${out}/sip_profiles/external/tc.xml`));
  t.notMatch(printed, /very-secret-pw/);
  t.match(await readFile(path.join(out, 'sip_profiles/external/tc.xml'), 'utf8'), /very-secret-pw/);

  lines.length = 0;
  t.equal(await main(['freeswitch', 'render-config', '--config', file], io), 2);
  t.match(lines.join('\n'), /needs --out/);
  t.equal(await main(['freeswitch', 'make-coffee'], io), 2);

  lines.length = 0;
  const bad = await configFile(dir, 'plugins:\n  carrier-tencent:\n    options: { trunks: { tc: { gateway: { proxy: "sip:tencent" } } } }\n');
  t.equal(await main(['freeswitch', 'render-config', '--config', bad, '--out', out], io), 1);
  t.match(lines.join('\n'), /plugins\.carrier-tencent\.options\.trunks\.tc\.gateway\.proxy: 'sip:tencent' starts with a URI scheme[\s\S]*fix: /);
});

t.test('check-config reports carrier problems (validateOptions) with path and fix, before anything starts', async (t) => {
  const dir = await tempDir(t);
  const file = await configFile(
    dir,
    `
plugins:
  carrier-huawei-uap:
    options: { trunks: { uap: { gateway: { proxy: 10.20.0.5 }, inboundIps: ['10.20.0.0/8'], numbers: { areaCode: '10' } } } }
`,
  );
  const lines: string[] = [];
  t.equal(await main(['check-config', file], { out: (s) => lines.push(s), err: (s) => lines.push(s) }), 1);
  const printed = lines.join('\n');
  t.match(printed, /2 problems/);
  t.match(printed, /✗ plugins\.carrier-huawei-uap\.options\.trunks\.uap\.inboundIps\[0\]: '10\.20\.0\.0\/8' has host bits set beyond \/8 \[VAPI_ERR_CARRIER_CONFIG\]\n\s+fix: write the range as 10\.0\.0\.0\/8/);
  t.match(printed, /✗ plugins\.carrier-huawei-uap\.options\.trunks\.uap\.numbers\.areaCode: '10' is not a Chinese area code/);
});
