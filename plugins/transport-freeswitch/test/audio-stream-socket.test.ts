import { EventEmitter } from 'node:events';
import t from 'tap';
import pino from 'pino';
import type { AudioFrame, WebSocketConnection } from '@vapi-cn/sdk-plugin-api';
import { VirtualClock } from '@vapi-cn/sdk-plugin-api/testkit';
import { acceptAudioStream, AUDIO_CLOSE, type ExpectedStream } from '../src/audio-stream-socket.js';
import { FreeswitchLeg } from '../src/freeswitch-leg.js';
import { dialOutcomeOf, hangupCauseFor } from '../src/hangup-causes.js';

const log = pino({ level: 'silent' });

class FakeSocket extends EventEmitter {
  readyState = 1;
  bufferedAmount = 0;
  closed: { code?: number; reason?: string } | undefined;
  send(): void {}
  close(code?: number, reason?: string): void {
    this.closed = { code, reason };
    this.emit('close', code ?? 1005, Buffer.from(reason ?? ''));
  }
  terminate(): void {}
  ping(): void {}
}

function legFor(rate: 8000 | 16000 = 16000) {
  const api: string[] = [];
  const leg = new FreeswitchLeg({
    uuid: 'u-1',
    direction: 'inbound',
    inputSampleRate: rate,
    playback: { dir: '/tmp/vapi-test-unused', sampleRate: 8000, maxChunkMs: 400, lowWaterMs: 200, clock: new VirtualClock() },
    playoutBufferMs: 1000,
    control: { api: async (command, args) => (api.push(`${command} ${args}`), '+OK\n') },
    log,
    transferContext: 'vapi_transfer',
    onEnd: () => {},
  });
  return { leg, api };
}

function expecting(leg: FreeswitchLeg) {
  const seen = { connected: 0, lost: [] as number[] };
  const expected: ExpectedStream = { leg, token: 'secret-token', connected: () => seen.connected++, lost: (code) => seen.lost.push(code) };
  return { expected, seen };
}

t.test('metadata with the call token first, then L16 frames re-framed to 20 ms', async (t) => {
  const { leg } = legFor(16000);
  const frames: AudioFrame[] = [];
  leg.on('audio', (frame) => frames.push({ ...frame, samples: frame.samples.slice() }));
  const { expected, seen } = expecting(leg);
  const socket = new FakeSocket();
  acceptAudioStream(socket as unknown as WebSocketConnection, 'u-1', expected, log);
  socket.emit('message', Buffer.from('{"callId":"u-1","token":"secret-token"}'), false);
  t.equal(seen.connected, 1);
  // 100 ms in one frame (STREAM_BUFFER_SIZE=100), at an odd byte offset inside a larger buffer.
  const pcm = new Int16Array(1600).map((_, i) => i);
  const carrier = Buffer.alloc(3201);
  Buffer.from(pcm.buffer).copy(carrier, 1);
  socket.emit('message', carrier.subarray(1), true);
  t.equal(frames.length, 5, 'five 20 ms frames');
  t.same(frames.map((f) => f.timestamp), [0, 20, 40, 60, 80]);
  t.equal(frames[1]!.samples[0], 320, 'samples in order, whatever the buffer alignment');
  socket.emit('message', Buffer.alloc(641), true);
  t.equal(frames.length, 5, 'an odd-length frame is dropped');
  socket.emit('message', Buffer.from('stop'), false);
  socket.close(1000);
  t.same(seen.lost, [1000], 'a close while the call is up is reported');
});

t.test('unknown call, wrong token, audio before metadata: closed with 44xx', async (t) => {
  const unknown = new FakeSocket();
  acceptAudioStream(unknown as unknown as WebSocketConnection, 'nope', undefined, log);
  t.equal(unknown.closed?.code, AUDIO_CLOSE.unknownCall);

  const { leg } = legFor();
  const wrong = new FakeSocket();
  const { expected, seen } = expecting(leg);
  acceptAudioStream(wrong as unknown as WebSocketConnection, 'u-1', expected, log);
  wrong.emit('message', Buffer.from('{"token":"guess"}'), false);
  t.equal(wrong.closed?.code, AUDIO_CLOSE.badToken);
  const early = new FakeSocket();
  acceptAudioStream(early as unknown as WebSocketConnection, 'u-1', expected, log);
  early.emit('message', Buffer.alloc(640), true);
  t.equal(early.closed?.code, AUDIO_CLOSE.badStream);
  t.equal(seen.connected, 0);
  t.same(seen.lost, [], 'sockets that never authenticated are not a lost call');
});

t.test('leg control: DTMF out, transfer, hangup with a Q.850 cause, nothing after the end', async (t) => {
  const { leg, api } = legFor();
  const hangups: string[] = [];
  leg.on('hangup', (cause) => hangups.push(cause));
  await leg.sendDtmf('12#');
  t.equal(api.at(-1), 'uuid_send_dtmf u-1 12#');
  await leg.transfer('+8613800138000');
  t.same(api.slice(-2), ['uuid_transfer u-1 +8613800138000 XML vapi_transfer', 'uuid_audio_stream u-1 stop']);
  t.same(hangups, ['transferred']);
  await leg.hangup('assistant-ended');
  t.notOk(api.some((c) => c.startsWith('uuid_kill')), 'a transferred channel is not killed');

  const other = legFor();
  await other.leg.transfer('sip:agent@10.0.0.9');
  t.equal(other.api[0], "uuid_transfer u-1 'bridge:sofia/external/agent@10.0.0.9' inline");
  const third = legFor();
  await third.leg.hangup('setup-failed');
  t.equal(third.api.at(-1), 'uuid_kill u-1 NORMAL_TEMPORARY_FAILURE');
  await third.leg.hangup();
  t.equal(third.api.length, 1, 'hangup is idempotent');
});

t.test('causes', async (t) => {
  t.equal(hangupCauseFor('USER_BUSY'), 'USER_BUSY');
  t.equal(hangupCauseFor('assistant-ended'), 'NORMAL_CLEARING');
  t.equal(hangupCauseFor('assistant-not-found'), 'UNALLOCATED_NUMBER');
  t.same(['USER_BUSY', 'NO_ANSWER', 'NO_USER_RESPONSE', 'CALL_REJECTED', 'NO_ROUTE_DESTINATION'].map(dialOutcomeOf), ['busy', 'no-answer', 'no-answer', 'failed', 'failed']);
});
