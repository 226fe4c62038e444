/**
 * A real ESL library (npm modesl 1.2.1, the one the transport uses) against the emulator, inbound
 * and outbound, including `event json` with Chinese variable values.
 */
import { createRequire } from 'node:module';
import net from 'node:net';
import t from 'tap';
import { FreeSwitchEmulator } from './index.js';

interface EslEvent {
  getHeader(name: string): string | undefined;
  getBody(): string;
  type: string;
}
interface EslConnection {
  on(event: string, listener: (...args: any[]) => void): void;
  once(event: string, listener: (...args: any[]) => void): void;
  api(command: string, args: string, cb: (res: EslEvent) => void): void;
  bgapi(command: string, args: string, cb: (res: EslEvent) => void): void;
  events(format: string, events: string[], cb: () => void): void;
  execute(app: string, arg: string, uuid: string, cb: (evt: EslEvent) => void): void;
  getInfo(): EslEvent | null;
  disconnect(): void;
  socket: net.Socket | null;
}
interface Modesl {
  Connection: new (...args: any[]) => EslConnection;
  Server: new (options: { server: net.Server; myevents?: boolean }, ready?: () => void) => {
    on(event: string, listener: (conn: EslConnection, id: string) => void): void;
    close(cb?: () => void): void;
  };
}
const esl = createRequire(import.meta.url)('modesl') as Modesl;

const api = (conn: EslConnection, command: string, args = '') => new Promise<string>((resolve) => conn.api(command, args, (res) => resolve(res.getBody())));

t.test('inbound: a modesl Connection authenticates, runs api and bgapi, receives json events with Chinese text', async (t) => {
  const fs = await FreeSwitchEmulator.start({ password: 'ClueCon', heartbeatIntervalMs: 0 });
  t.teardown(() => fs.stop());
  const conn = await new Promise<EslConnection>((resolve, reject) => {
    const c = new esl.Connection('127.0.0.1', fs.eslPort, 'ClueCon', () => resolve(c));
    c.on('error', reject);
  });
  t.teardown(() => conn.disconnect());

  t.match(await api(conn, 'status'), /^UP \d+ years?, .*\nFreeSWITCH \(Version 1\.10\.12-release {2}64bit\) is ready\n/);
  t.equal(await api(conn, 'version'), 'FreeSWITCH Version 1.10.12-release~64bit ( 64bit)\n');
  t.equal(await api(conn, 'uuid_kill', '00000000-0000-0000-0000-000000000000'), '-ERR No such channel!\n');

  // modesl subscribed BACKGROUND_JOB itself after auth: bgapi callbacks fire on the job event.
  const job = await new Promise<EslEvent>((resolve) => conn.bgapi('version', '', resolve));
  t.equal(job.getHeader('Job-Command'), 'version');
  t.equal(job.getBody(), 'FreeSWITCH Version 1.10.12-release~64bit ( 64bit)\n');

  await new Promise<void>((resolve) => conn.events('json', ['CHANNEL_CREATE', 'CHANNEL_PARK', 'CHANNEL_ANSWER', 'DTMF', 'CHANNEL_HANGUP_COMPLETE'], resolve));
  const created = new Promise<EslEvent>((resolve) => conn.once('esl::event::CHANNEL_CREATE::*', resolve));
  const parked = new Promise<EslEvent>((resolve) => conn.once('esl::event::CHANNEL_PARK::*', resolve));
  const greeting = '您好，请问有什么可以帮您？';
  const call = fs.placeCall({ from: '13800138000', to: '4001234567', callerIdName: '张三', variables: { greeting }, dialplan: { type: 'park' } });
  const create = await created;
  t.equal(create.getHeader('Unique-ID'), call.uuid);
  t.equal(create.getHeader('variable_greeting'), greeting, 'a Chinese variable arrives intact (byte-accurate Content-Length)');
  t.equal(create.getHeader('Caller-Caller-ID-Name'), '张三');
  t.equal(create.getHeader('Caller-Destination-Number'), '4001234567');
  t.equal((await parked).getHeader('Answer-State'), 'ringing', 'parked, not answered');

  const answered = await new Promise<EslEvent>((resolve) => conn.execute('answer', '', call.uuid, resolve));
  t.equal(answered.getHeader('Application'), 'answer', 'execute() resolves on the CHANNEL_EXECUTE_COMPLETE with its Event-UUID');
  t.equal(call.state, 'answered');

  const digit = new Promise<EslEvent>((resolve) => conn.once('esl::event::DTMF::*', resolve));
  await call.pressDigits('7');
  t.equal((await digit).getHeader('DTMF-Digit'), '7');

  const done = new Promise<EslEvent>((resolve) => conn.once('esl::event::CHANNEL_HANGUP_COMPLETE::*', resolve));
  t.equal(await api(conn, 'uuid_kill', `${call.uuid} CALL_REJECTED`), '+OK\n');
  t.equal((await done).getHeader('Hangup-Cause'), 'CALL_REJECTED');
});

t.test('outbound: a modesl Server on a pre-listening net.Server takes the socket call', async (t) => {
  const fs = await FreeSwitchEmulator.start({ heartbeatIntervalMs: 0 });
  const tcp = net.createServer();
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  const port = (tcp.address() as net.AddressInfo).port;
  const server = new esl.Server({ server: tcp, myevents: true });
  t.teardown(async () => {
    await fs.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const ready = new Promise<EslConnection>((resolve) => server.on('connection::ready', (conn) => resolve(conn)));
  const call = fs.placeCall({ from: '1001', to: '1000', variables: { topic: '退货' }, dialplan: { type: 'socket', address: `127.0.0.1:${port}` } });
  const conn = await ready;
  const info = conn.getInfo()!;
  t.equal(info.getHeader('Unique-ID'), call.uuid, 'CHANNEL_DATA reached modesl as getInfo()');
  t.equal(info.getHeader('Socket-Mode'), 'async');
  t.equal(info.getHeader('Control'), 'full');
  t.equal(info.getHeader('variable_topic'), '退货', 'URL-encoded Chinese in CHANNEL_DATA decodes');

  const answered = await new Promise<EslEvent>((resolve) => conn.execute('answer', '', call.uuid, resolve));
  t.equal(answered.getHeader('Application'), 'answer');
  t.equal(call.state, 'answered');
  t.match(await api(conn, 'uuid_exists', call.uuid), 'true', 'api works on an async full socket');

  const closed = new Promise<void>((resolve) => conn.on('esl::end', () => resolve()));
  call.hangup();
  await closed;
  t.equal(call.state, 'hungup');
  t.equal(call.hangupCause, 'NORMAL_CLEARING');
});
