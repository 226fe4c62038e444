/**
 * Bad bytes on the Event Socket: each ends in a clear log line or close reason, the connection
 * resynchronised or reset, never an uncaught exception.
 */
import t from 'tap';
import type { EslEvent } from '../../src/esl/types.js';
import { apiResponse, commandServer, connectTo, readFs2App, waitFor, watchUncaught, type TestLike } from './helpers.js';

const STALL_MS = 150;

const jsonEvent = (fields: Record<string, string>, extraHeaders = '') => {
  const body = JSON.stringify(fields);
  return `Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-json\n${extraHeaders}\n${body}`;
};
const plainEvent = (lines: string) => `Content-Length: ${Buffer.byteLength(lines)}\nContent-Type: text/event-plain\n\n${lines}`;

/** A connection to a FreeSWITCH that answers `api <name>` with `answers[name]`. */
async function setUp(t: TestLike, answers: Record<string, string | ((socket: import('node:net').Socket) => void)>) {
  const uncaught = watchUncaught(t);
  const { port } = await commandServer(t, (command, socket) => {
    const answer = answers[command.replace(/^api /, '')];
    if (typeof answer === 'function') answer(socket);
    else if (answer !== undefined) socket.write(answer);
  });
  const { connection, logs } = await connectTo(t, port, 'ClueCon', { frameStallMs: STALL_MS });
  const events: EslEvent[] = [];
  connection.on('event', (event) => events.push(event));
  const closed = waitFor<string>((l) => connection.on('close', l), (reason: string) => reason);
  closed.catch(() => {});
  return { connection, logs, events, uncaught, closed };
}

const warnings = (logs: { level: string; msg?: string; obj: Record<string, unknown> }[]) =>
  logs.filter((l) => l.level === 'warn' && l.msg === 'ESL: dropped an invalid frame').map((l) => l.obj.reason as string);

t.test('garbage lines, bad % and non-JSON event bodies are dropped with a warning; the connection stays in step', async (t) => {
  const good = jsonEvent({ 'Event-Name': 'CHANNEL_ANSWER', 'Unique-ID': 'u1' });
  const { connection, logs, events, uncaught } = await setUp(t, {
    garbage: 'hello world\nthis is not ESL\n\n' + apiResponse('after garbage\n'),
    'bad-percent': jsonEvent({ 'Event-Name': 'DTMF' }, 'X-Note: 100% sure\n') + plainEvent('Event-Name: DTMF\nvariable_x: 50%\n\n') + good + apiResponse('after bad percent\n'),
    'not-json': `Content-Length: 13\nContent-Type: text/event-json\n\n{"Event-Name"` + good + apiResponse('after bad json\n'),
  });
  t.equal(await connection.api('garbage'), 'after garbage\n');
  t.equal(await connection.api('bad-percent'), 'after bad percent\n');
  t.equal(await connection.api('not-json'), 'after bad json\n');
  t.same(events.map((e) => e.name), ['CHANNEL_ANSWER', 'CHANNEL_ANSWER'], 'only the good events reach listeners');
  t.match(warnings(logs), [/not 'Name: value'/, /X-Note has invalid percent-encoding/, /variable_x has invalid percent-encoding/, /not JSON/]);
  t.equal(connection.closed, false);
  t.same(uncaught, []);
});

t.test('a Content-Length larger than what follows: reset after frameStallMs, pending commands rejected', async (t) => {
  const { connection, logs, closed, uncaught } = await setUp(t, {
    liar: 'Content-Type: api/response\nContent-Length: 500\n\nonly this much',
  });
  const started = Date.now();
  const [liar, queued] = await Promise.all([connection.api('liar').catch((e: unknown) => e), connection.api('status', '', 60_000).catch((e: unknown) => e)]);
  t.ok(Date.now() - started >= STALL_MS - 20, 'waited for frameStallMs first');
  for (const error of [liar, queued]) {
    t.match(error, { code: 'VAPI_ERR_ESL_CLOSED', message: /VAPI_ERR_ESL_PROTOCOL: .*incomplete/ });
  }
  t.match(await closed, /^VAPI_ERR_ESL_PROTOCOL: .*a frame has been incomplete for \d+ ms \(\d+ bytes held\)/);
  t.match(logs.find((l) => l.level === 'error'), { msg: /resetting the connection/, obj: { code: 'VAPI_ERR_ESL_PROTOCOL' } });
  t.equal(connection.closed, true);
  t.same(uncaught, []);
});

t.test('a frame that arrives slowly but within frameStallMs is not a stall', async (t) => {
  const { connection } = await setUp(t, {
    slow: (socket) => {
      const bytes = Buffer.from(apiResponse('slow but whole\n'));
      socket.write(bytes.subarray(0, 20));
      setTimeout(() => socket.write(bytes.subarray(20, 40)), STALL_MS / 3);
      setTimeout(() => socket.write(bytes.subarray(40)), (2 * STALL_MS) / 3);
    },
  });
  t.equal(await connection.api('slow'), 'slow but whole\n');
  await new Promise((resolve) => setTimeout(resolve, STALL_MS * 2));
  t.equal(connection.closed, false);
});

t.test('a truncated event, then FreeSWITCH closes: the close reason says so', async (t) => {
  const { connection, logs, closed, uncaught } = await setUp(t, {
    truncate: (socket) => socket.end('Content-Length: 1000\nContent-Type: text/event-json\n\n{"Event-Name":"CHANNEL_HANGUP","Unique-ID":'),
  });
  t.match(await connection.api('truncate').catch((e: unknown) => e), { code: 'VAPI_ERR_ESL_CLOSED' });
  t.match(await closed, /^VAPI_ERR_ESL_PROTOCOL: the connection ended inside a frame \(\d+ bytes/);
  t.match(logs.find((l) => l.level === 'warn'), { msg: /ended inside a frame/ });
  t.same(uncaught, []);
});

t.test('a 20 MiB Content-Length resets at once, without waiting for (or buffering) 20 MiB', async (t) => {
  const { connection, logs, closed, uncaught } = await setUp(t, {
    huge: `Content-Type: api/response\nContent-Length: ${20 * 1024 * 1024}\n\nabc`,
  });
  t.match(await connection.api('huge').catch((e: unknown) => e), { code: 'VAPI_ERR_ESL_CLOSED', message: /over the 16777216-byte limit/ });
  t.match(await closed, /^VAPI_ERR_ESL_PROTOCOL: unreadable Event Socket stream: Content-Length 20971520 is over the 16777216-byte limit/);
  t.ok(logs.some((l) => l.level === 'error' && /resetting/.test(l.msg ?? '')));
  t.same(uncaught, []);
});

t.test('a header block that never ends resets the connection', async (t) => {
  const { connection, closed, uncaught } = await setUp(t, { endless: 'X-Filler: yes\n'.repeat(6000) });
  t.match(await connection.api('endless').catch((e: unknown) => e), { code: 'VAPI_ERR_ESL_CLOSED' });
  t.match(await closed, /no end of header block within 65536 bytes/);
  t.same(uncaught, []);
});

t.test('Chinese text in events arrives whole (JSON and plain)', async (t) => {
  const text = '您好，这里是客服中心。请问有什么可以帮您？';
  const { connection, events } = await setUp(t, {
    chinese:
      jsonEvent({ 'Event-Name': 'CUSTOM', 'Event-Subclass': 'mod_audio_stream::json', variable_caller_name: '李四', _body: text }) +
      plainEvent(`Event-Name: CUSTOM\nEvent-Subclass: mod_audio_stream%3A%3Ajson\nvariable_caller_name: ${encodeURIComponent('李四')}\nContent-Length: ${Buffer.byteLength(text)}\n\n${text}`) +
      apiResponse(`${text}\n`),
  });
  t.equal(await connection.api('chinese'), `${text}\n`);
  t.same(events.map((e) => [e.subclass, e.headers.variable_caller_name, e.body]), [
    ['mod_audio_stream::json', '李四', text],
    ['mod_audio_stream::json', '李四', text],
  ]);
});

t.test('mutated real traffic never crashes: every connection ends in sync or with a reason', async (t) => {
  const uncaught = watchUncaught(t);
  const original = readFs2App('esl_inbound_event_json_call1001');
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const hazards = [0x25, 0x0a, 0x3a, 0x20, 0x7b, 0x22, 0x30, 0x39, 0xff];
  const outcomes = new Set<string>();
  for (let round = 0; round < 12; round++) {
    const mutated = Buffer.from(original);
    const mutations = [4, 40, 400, 4000][round % 4]!;
    for (let i = 0; i < mutations; i++) mutated[Math.floor(random() * mutated.length)] = hazards[Math.floor(random() * hazards.length)]!;
    const { connection, closed } = await setUp(t, {
      status: apiResponse('ok\n'),
      mutated: (socket) => {
        for (let at = 0; at < mutated.length; at += 700) socket.write(mutated.subarray(at, at + 700));
        socket.write(apiResponse('end of round\n'));
      },
    });
    // The replayed bytes hold replies of their own, so the answer may be any of them; what
    // matters is that the connection is either still usable or closed with a reason.
    await connection.api('mutated', '', 5000).catch(() => undefined);
    const after = await connection.api('status', '', 5000).catch((e: Error) => e);
    if (connection.closed) t.match(await closed, /VAPI_ERR_ESL_PROTOCOL|socket error/, `round ${round} (${mutations} bytes changed): reset with a reason`);
    else t.type(after, 'string', `round ${round} (${mutations} bytes changed): still open and answering`);
    outcomes.add(connection.closed ? 'reset' : 'resynchronised');
    await connection.close();
  }
  t.same([...outcomes].sort(), ['reset', 'resynchronised'], 'both outcomes were exercised');
  t.same(uncaught, [], 'no uncaught exception');
});
