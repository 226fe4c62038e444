/** The FreeSWITCH overlay in freeswitch/: every XML file is well-formed and wires what vapi-cn needs. */
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const { parseStringPromise } = createRequire(import.meta.url)('xml2js') as { parseStringPromise(xml: string): Promise<any> };
const OVERLAY = fileURLToPath(new URL('../../../freeswitch/', import.meta.url));

async function xmlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await xmlFiles(full)));
    else if (entry.name.endsWith('.xml')) out.push(full);
  }
  return out;
}

const read = (relative: string) => readFile(path.join(OVERLAY, relative), 'utf8');
const params = (settings: any) => Object.fromEntries((settings.param as any[]).map((p) => [p.$.name, p.$.value]));

t.test('every XML file parses', async (t) => {
  const files = await xmlFiles(OVERLAY);
  t.ok(files.length >= 11, `${files.length} files`);
  for (const file of files) await t.resolves(parseStringPromise(await readFile(file, 'utf8')), path.relative(OVERLAY, file));
});

t.test('a broken file would be caught', async (t) => {
  await t.rejects(parseStringPromise('<include><param name="a" value="b"></include>'));
});

t.test('event socket: loopback, password from vars_vapi.xml, which takes it from the environment', async (t) => {
  const settings = params((await parseStringPromise(await read('autoload_configs/event_socket.conf.xml'))).configuration.settings[0]);
  t.match(settings, { 'listen-ip': '$${vapi_esl_listen_ip}', 'listen-port': '$${vapi_esl_listen_port}', password: '$${vapi_esl_password}' });
  const vars = await read('vars_vapi.xml');
  t.match(vars, /<X-PRE-PROCESS cmd="env-set" data="vapi_esl_password=\$VAPI_ESL_PASSWORD"\/>/);
  t.match(vars, /data="vapi_esl_listen_ip=127\.0\.0\.1"/);
  t.match(vars, /data="vapi_esl_listen_port=8021"/);
});

t.test('modules: everything the transport and carriers use', async (t) => {
  const modules = ((await parseStringPromise(await read('autoload_configs/modules.conf.xml'))).configuration.modules[0].load as any[]).map((m) => m.$.module);
  for (const needed of ['mod_event_socket', 'mod_sofia', 'mod_commands', 'mod_dptools', 'mod_sndfile', 'mod_audio_stream', 'mod_spandsp', 'mod_dialplan_xml']) t.ok(modules.includes(needed), needed);
});

t.test('external profile: carriers included, PCMA first, RFC 2833 on 101, late negotiation, public context', async (t) => {
  const text = await read('sip_profiles/external.xml');
  t.match(text, /<X-PRE-PROCESS cmd="include" data="external\/\*\.xml"\/>/);
  const settings = params((await parseStringPromise(text)).profile.settings[0]);
  t.equal(settings['inbound-codec-prefs']!.split(',')[0], 'PCMA');
  t.equal(settings['rfc2833-pt'], '101');
  t.equal(settings['inbound-late-negotiation'], 'true');
  t.equal(settings.context, 'public');
  t.equal(settings['ext-rtp-ip'], '$${vapi_external_ip}');
  const internal = params((await parseStringPromise(await read('sip_profiles/internal.xml'))).profile.settings[0]);
  t.equal(internal['auth-calls'], 'true');
  t.equal(internal.context, 'default');
});

t.test('public dialplan: the rendered carriers first, everything else refused', async (t) => {
  const text = await read('dialplan/public.xml');
  const includeAt = text.indexOf('<X-PRE-PROCESS cmd="include" data="public/*.xml"/>');
  const refuseAt = text.indexOf('vapi_unknown_source');
  t.ok(includeAt > 0 && refuseAt > includeAt);
  t.match(text, /respond" data="403 Forbidden"/);
});
