/** The client→server command framing of read_packet: what the emulator accepts, and how. */
import t from 'tap';
import { CommandStreamError, commandHeader, EslCommandParser, MAX_CONTENT_LENGTH } from './command-parser.js';

t.test('one command per blank line; headers; case-insensitive lookup', async (t) => {
  const parser = new EslCommandParser();
  const commands = parser.push(Buffer.from('api status\n\nsendmsg abc\ncall-command: execute\nExecute-App-Name:  playback\n\n'));
  t.equal(commands.length, 2);
  t.equal(commands[0].command, 'api status');
  t.same(commands[0].headers, []);
  t.equal(commands[1].command, 'sendmsg abc');
  t.equal(commandHeader(commands[1], 'CALL-COMMAND'), 'execute');
  t.equal(commandHeader(commands[1], 'execute-app-name'), 'playback', 'spaces after the colon are skipped');
});

t.test('\\r is tolerated and leading blank lines are ignored', async (t) => {
  const parser = new EslCommandParser();
  const commands = parser.push(Buffer.from('\r\n\n\r\nauth ClueCon\r\n\r\napi version\r\nJob-UUID: x\r\n\r\n'));
  t.same(commands.map((c) => c.command), ['auth ClueCon', 'api version']);
  t.same(commands[1].headers, [['Job-UUID', 'x']]);
});

t.test('a Content-Length body is read as bytes, across chunks of any size', async (t) => {
  const body = '{"text":"你好"}';
  const wire = Buffer.from(`sendevent CUSTOM\nContent-Type: text/plain\ncontent-length: ${Buffer.byteLength(body)}\n\n${body}exit\n\n`);
  const parser = new EslCommandParser();
  const commands = [];
  for (const byte of wire) commands.push(...parser.push(Buffer.from([byte])));
  t.equal(commands.length, 2, 'byte by byte still yields both commands');
  t.equal(commands[0].body, body, 'the multi-byte body is whole');
  t.equal(commands[1].command, 'exit', 'the next command starts right after the body');
});

t.test('a command split anywhere waits for the rest', async (t) => {
  const parser = new EslCommandParser();
  t.same(parser.push(Buffer.from('api sta')), []);
  t.same(parser.push(Buffer.from('tus\n')), []);
  t.same(parser.push(Buffer.from('\n')).map((c) => c.command), ['api status']);
});

t.test('a body over 16 MiB is refused', async (t) => {
  const parser = new EslCommandParser();
  let error: unknown;
  try {
    parser.push(Buffer.from(`sendevent CUSTOM\nContent-Length: ${MAX_CONTENT_LENGTH + 1}\n\n`));
  } catch (e) {
    error = e;
  }
  t.ok(error instanceof CommandStreamError, 'a CommandStreamError');
  t.match((error as Error).message, /16 MiB/);
  t.same(new EslCommandParser().push(Buffer.from(`sendevent CUSTOM\nContent-Length: ${MAX_CONTENT_LENGTH}\n\n`)), [], 'exactly 16 MiB is still accepted (waits for the body)');
});

t.test('lines without a colon are not headers', async (t) => {
  const parser = new EslCommandParser();
  const [command] = parser.push(Buffer.from('sendmsg\nthis is noise\nloops: 2\n\n'));
  t.same(command.headers, [['loops', '2']]);
});
