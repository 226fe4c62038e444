/**
 * WebRTC media that goes away while the signalling socket stays open: the client closes its peer
 * connection (or loses its network) without sending `stop`. The peer notices the silence (no RTP
 * or RTCP for `mediaTimeoutMs`) and fails; the voice socket then says why, closes with 4001 and
 * ends the call; the peer's sockets and timers are released. Also: a client that keeps sending is
 * left alone, and how each kind of peer failure maps to the call's end reason.
 */
import { EventEmitter } from 'node:events';
import t from 'tap';
import { audioFrame, SystemClock, VapiError, type AudioFrame, type RtcPeer, type RtcPeerState, type WebSocketConnection } from '@vapi-cn/sdk-plugin-api';
import { RtpHeader, RtpPacket, type RTCRtpTransceiver } from 'werift';
import { CLOSE, VoiceSession, type SocketLeg } from '../../transport-websocket/src/index.js';
import { Client, startServer, waitForEnd } from '../../transport-websocket/test/helpers.js';
import { silentLogger } from '../src/silent-logger.js';
import type { WebRtcPeerState } from '../src/webrtc-peer.js';
import { clientPeer, connect, FRAME, handles, opus, serverPeer, waitFor, withoutCandidates } from './helpers.js';

/** Short for the test, yet well above any event-loop stall of a loaded machine (both ends share this process). */
const MEDIA_TIMEOUT_MS = 1500;

/** Sends Opus RTP of silence from the client, one packet per 20 ms, until stopped. */
function keepSending(transceiver: RTCRtpTransceiver): () => void {
  const encoder = opus.create({ sampleRate: 48000 });
  const payload = Buffer.from(encoder.encode(audioFrame(new Int16Array(FRAME), 48000)));
  encoder.close();
  let sequence = 100;
  const timer = setInterval(() => {
    const header = new RtpHeader({ payloadType: 111, sequenceNumber: sequence & 0xffff, timestamp: sequence * FRAME, marker: sequence === 100 });
    sequence++;
    transceiver.sender.sendRtp(new RtpPacket(header, payload)).catch(() => {});
  }, 20);
  return () => clearInterval(timer);
}

const sockets = () => handles().get('UDPWrap') ?? 0;

t.test('WebRtcPeer: media flowing keeps it up; media gone fails it with VAPI_ERR_WEBRTC_MEDIA_TIMEOUT and releases it', async (t) => {
  const before = handles();
  const peer = serverPeer({ mediaTimeoutMs: MEDIA_TIMEOUT_MS });
  const states: Array<[WebRtcPeerState, VapiError | undefined]> = [];
  peer.onStateChange((state, error) => states.push([state, error]));
  const { client, transceiver } = await connect(peer);
  const stop = keepSending(transceiver);
  await new Promise((resolve) => setTimeout(resolve, MEDIA_TIMEOUT_MS * 2.5));
  t.equal(peer.state, 'connected', `still connected after ${MEDIA_TIMEOUT_MS * 2.5} ms of media with a ${MEDIA_TIMEOUT_MS} ms timeout`);
  t.ok(peer.stats.packets > 50, `it received the client's RTP (${peer.stats.packets} packets)`);

  // The client goes away without a word: its peer connection closes, nothing more arrives.
  stop();
  const goneAt = Date.now();
  await client.close();
  await waitFor(() => peer.state === 'closed', 'the peer to notice', 10_000);
  const noticedMs = Date.now() - goneAt;
  t.ok(noticedMs >= MEDIA_TIMEOUT_MS * 0.9, `not before the timeout (${noticedMs} ms)`);
  t.ok(noticedMs < MEDIA_TIMEOUT_MS + 5000, `well before ICE consent would (${noticedMs} ms; consent takes 30 s)`);
  t.same(
    states.map(([state]) => state),
    ['connecting', 'connected', 'failed', 'closed'],
  );
  t.match(states[2]![1], { code: 'VAPI_ERR_WEBRTC_MEDIA_TIMEOUT', category: 'timeout', details: { mediaTimeoutMs: MEDIA_TIMEOUT_MS }, fix: /stop/ }, 'failed with the media timeout');
  await waitFor(() => ['UDPWrap', 'Timeout'].every((type) => (handles().get(type) ?? 0) <= (before.get(type) ?? 0)), 'handles to be released', 3000).catch(() => {});
  t.ok(sockets() <= (before.get('UDPWrap') ?? 0), 'its sockets are closed');
  t.ok((handles().get('Timeout') ?? 0) <= (before.get('Timeout') ?? 0), 'no timer left');
});

t.test('WebRtcPeer: mediaTimeoutMs 0 turns the check off', async (t) => {
  const peer = serverPeer({ mediaTimeoutMs: 0 });
  t.teardown(() => peer.close());
  const { client } = await connect(peer);
  await client.close();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  t.equal(peer.state, 'connected', 'still connected 1.5 s after the client went quiet (ICE consent alone would notice, after 30 s)');
});

t.test('voice socket: the client closes its peer connection but not the socket', async (t) => {
  await waitFor(() => sockets() === 0, 'earlier peers to close', 3000).catch(() => {});
  const baseline = sockets();
  const { wsUrl, store, logs } = await startServer(t, {}, {}, { 'transport-webrtc': { options: { bindAddress: '127.0.0.1', mediaTimeoutMs: MEDIA_TIMEOUT_MS } } });
  const peer = clientPeer();
  const transceiver = peer.addTransceiver('audio', { direction: 'sendrecv' });
  const client = new Client(`${wsUrl}/v1/voice/ws`);
  t.teardown(() => client.socket.terminate());
  await client.opened();
  peer.onIceCandidate.subscribe((candidate) => client.send({ type: 'ice_candidate', candidate: candidate ? candidate.toJSON() : null }));
  client.socket.on('message', (data, isBinary) => {
    if (isBinary) return;
    const message = JSON.parse(String(data));
    if (message.type === 'ice_candidate' && message.candidate) void peer.addIceCandidate(message.candidate).catch(() => {});
  });
  await peer.setLocalDescription(await peer.createOffer());
  client.send({ type: 'start', assistant_id: 'demo', sdp_offer: withoutCandidates(peer.localDescription!.sdp) });
  await peer.setRemoteDescription({ type: 'answer', sdp: (await client.waitFor((m) => m.type === 'sdp_answer')).sdp as string });
  const id = (await client.waitFor((m) => m.status === 'connected')).call_id as string;
  await waitFor(() => peer.connectionState === 'connected', 'the client connected');

  const stop = keepSending(transceiver);
  await new Promise((resolve) => setTimeout(resolve, MEDIA_TIMEOUT_MS * 2));
  t.notOk(client.messages.some((m) => m.status === 'ended' || m.type === 'error'), 'a client that sends media is left alone');
  stop();
  await peer.close();

  const closed = await client.closed;
  t.equal(closed.code, CLOSE.mediaLost, 'closed with 4001');
  t.equal(closed.code, 4001);
  t.equal(closed.reason, 'media-timeout');
  const error = client.messages.find((m) => m.type === 'error');
  t.match(error, { code: 'VAPI_ERR_WEBRTC_MEDIA_TIMEOUT', message: /no media/, fix: /stop/ }, 'an error says why');
  const ended = client.messages.find((m) => m.status === 'ended');
  t.match(ended, { type: 'status', reason: 'media-timeout' }, 'then status: ended with the reason');
  t.ok(client.messages.indexOf(error!) < client.messages.indexOf(ended!), 'error first');
  t.match(await waitForEnd(store, id), { status: 'ended', endReason: 'media-timeout', metadata: { client: 'webrtc' } });
  t.ok(logs.lines.some((l) => l.msg === 'webrtc media lost: ending the call' && l.reason === 'media-timeout'), 'logged with the reason');
  await waitFor(() => sockets() <= baseline, 'UDP sockets to be released', 3000).catch(() => {});
  t.ok(sockets() <= baseline, `the server's peer socket is closed, and the client's (${sockets()} UDP sockets, ${baseline} before)`);
});

/** A peer whose state the test drives, for the reasons that real ICE takes 30 s to produce. */
class ScriptedPeer implements RtcPeer {
  state: RtcPeerState = 'new';
  closes = 0;
  private readonly listeners = new Set<(state: RtcPeerState, error?: Error) => void>();
  async answer(): Promise<string> {
    this.state = 'connecting';
    return 'v=0\r\n';
  }
  async addIceCandidate(): Promise<void> {}
  sendFrame(_frame: AudioFrame): boolean {
    return false;
  }
  onAudio(): () => void {
    return () => {};
  }
  onIceCandidate(): () => void {
    return () => {};
  }
  onStateChange(listener: (state: RtcPeerState, error?: Error) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(state: RtcPeerState, error?: Error): void {
    this.state = state;
    for (const listener of this.listeners) listener(state, error);
  }
  async close(): Promise<void> {
    this.closes++;
    if (this.state !== 'closed') this.emit('closed');
  }
}

class FakeSocket extends EventEmitter {
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: Array<Record<string, unknown>> = [];
  closedWith: { code: number; reason: string } | undefined;
  send(data: string | Uint8Array): void {
    if (typeof data === 'string') this.sent.push(JSON.parse(data));
  }
  close(code: number, reason: string): void {
    this.closedWith ??= { code, reason };
    this.readyState = 3;
  }
  terminate(): void {
    this.readyState = 3;
  }
  ping(): void {}
}

async function scriptedCall(t: { teardown(fn: () => unknown): void }) {
  const socket = new FakeSocket();
  const peer = new ScriptedPeer();
  const hangups: string[] = [];
  let leg: SocketLeg | undefined;
  new VoiceSession({
    socket: socket as unknown as WebSocketConnection,
    log: silentLogger,
    clock: new SystemClock(),
    opus: undefined,
    webrtc: { inputSampleRate: 48000, outputSampleRate: 48000, create: () => peer },
    async accept(accepted) {
      leg = accepted as SocketLeg;
      leg.on('hangup', (cause) => hangups.push(cause));
    },
    newCallId: () => 'call-1',
    startTimeoutMs: 10_000,
    pingIntervalMs: 60_000,
    maxBufferedBytes: 1 << 20,
  });
  t.teardown(() => socket.emit('close', 1000, Buffer.alloc(0)));
  socket.emit('message', Buffer.from(JSON.stringify({ type: 'start', assistant_id: 'demo', sdp_offer: 'v=0\r\n' })), false);
  await waitFor(() => leg !== undefined, 'the call to start', 2000);
  peer.emit('connected');
  return { socket, peer, hangups };
}

t.test('voice socket: each peer failure ends the call with its reason and closes 4001', async (t) => {
  const cases: Array<[string, VapiError, string]> = [
    ['ICE consent lost', new VapiError('the WebRTC connection was lost', { code: 'VAPI_ERR_WEBRTC_CONNECTION', category: 'connectivity' }), 'ice-failed'],
    ['no media', new VapiError('no media', { code: 'VAPI_ERR_WEBRTC_MEDIA_TIMEOUT', category: 'timeout' }), 'media-timeout'],
    ['never connected', new VapiError('did not connect', { code: 'VAPI_ERR_WEBRTC_CONNECT_TIMEOUT', category: 'timeout' }), 'connect-timeout'],
  ];
  for (const [name, error, reason] of cases) {
    const { socket, peer, hangups } = await scriptedCall(t);
    peer.emit('failed', error);
    t.match(socket.sent.find((m) => m.type === 'error'), { code: error.code }, `${name}: the error`);
    t.match(socket.sent.find((m) => m.status === 'ended'), { reason }, `${name}: status ended, reason ${reason}`);
    t.same(socket.closedWith, { code: 4001, reason }, `${name}: closed 4001`);
    t.same(hangups, [reason], `${name}: the call ends with ${reason}`);
    t.ok(peer.closes >= 1, `${name}: the peer is closed`);
  }

  const { socket, peer, hangups } = await scriptedCall(t);
  peer.emit('closed');
  t.notOk(socket.sent.some((m) => m.type === 'error'), 'a peer the client closed: no error');
  t.match(socket.sent.find((m) => m.status === 'ended'), { reason: 'peer-closed' });
  t.same(socket.closedWith, { code: 4001, reason: 'peer-closed' });
  t.same(hangups, ['peer-closed']);

  // The session's own close of the peer (stop) is not a media loss.
  const stopped = await scriptedCall(t);
  stopped.socket.emit('message', Buffer.from('{"type":"stop"}'), false);
  t.same(stopped.socket.closedWith, { code: 1000, reason: 'client-stop' }, 'stop closes 1000');
  t.same(stopped.hangups, ['client-stop'], 'ended by the client, not as peer-closed');
  t.equal(stopped.peer.state, 'closed');
});
