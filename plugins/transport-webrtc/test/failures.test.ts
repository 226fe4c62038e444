/** Offers, candidates and options a WebRtcPeer refuses, and a call that never connects. */
import t from 'tap';
import { isVapiError, type VapiError } from '@vapi-cn/sdk-plugin-api';
import type { WebRtcPeerState } from '../src/webrtc-peer.js';
import { candidateLines, clientPeer, handles, opus, serverPeer, waitFor, withoutCandidates } from './helpers.js';

/** A real offer from a werift client, without candidates; the client is closed at once. */
async function realOffer(): Promise<string> {
  const client = clientPeer();
  client.addTransceiver('audio', { direction: 'sendrecv' });
  await client.setLocalDescription(await client.createOffer());
  const sdp = withoutCandidates(client.localDescription!.sdp);
  await client.close();
  return sdp;
}

const offer = await realOffer();

t.test('malformed offers reject with VAPI_ERR_WEBRTC_SDP and leave nothing open', async (t) => {
  const audioLine = offer.split('\r\n').find((line) => line.startsWith('m=audio'))!;
  const cases: Record<string, string> = {
    empty: '',
    garbage: 'hello, I am not SDP',
    'no v=0': offer.replace('v=0\r\n', ''),
    'a line without =': offer.replace('s=-', 's-'),
    'no media': offer.slice(0, offer.indexOf('m=')),
    'video only': offer.replace(audioLine, audioLine.replace('m=audio', 'm=video')).replace(/opus\/48000\/2/, 'VP8/90000'),
    'no Opus': offer.replace(/a=rtpmap:111 opus\/48000\/2/, 'a=rtpmap:0 PCMU/8000'),
    'plain RTP': offer.replace('UDP/TLS/RTP/SAVPF', 'RTP/AVP'),
    'no fingerprint': offer.replace(/a=fingerprint:[^\r]*\r\n/, ''),
    'no ICE credentials': offer.replace(/a=ice-pwd:[^\r]*\r\n/, ''),
    'rejected audio (port 0)': offer.replace(audioLine, audioLine.replace(/^m=audio \d+/, 'm=audio 0')),
    huge: `v=0\r\n${'a=x\r\n'.repeat(20000)}`,
  };
  await waitFor(() => (handles().get('UDPWrap') ?? 0) === 0, 'earlier sockets to close', 2000).catch(() => {});
  const sockets = handles().get('UDPWrap') ?? 0;
  for (const [name, sdp] of Object.entries(cases)) {
    const peer = serverPeer();
    const states: WebRtcPeerState[] = [];
    peer.onStateChange((state) => states.push(state));
    const error = await peer.answer(sdp).then(
      () => undefined,
      (e: unknown) => e,
    );
    t.ok(isVapiError(error), `${name}: a VapiError`);
    t.match(error, { code: 'VAPI_ERR_WEBRTC_SDP', category: 'bad_input', retryable: false, fix: /createOffer/ }, name);
    t.equal(peer.state, 'closed', `${name}: the peer is closed`);
    t.same(states, ['closed'], `${name}: only 'closed' reported`);
  }
  t.equal(handles().get('UDPWrap') ?? 0, sockets, 'no socket was opened');
});

t.test('a peer whose client never connects fails after connectTimeoutMs and closes itself', async (t) => {
  const before = handles();
  const peer = serverPeer({ connectTimeoutMs: 300 });
  const states: Array<[WebRtcPeerState, VapiError | undefined]> = [];
  peer.onStateChange((state, error) => states.push([state, error]));
  const answer = await peer.answer(offer);
  t.ok(candidateLines(answer).length > 0, 'answered');
  t.equal(peer.state, 'connecting');
  await waitFor(() => peer.state === 'closed', 'the peer to give up', 5000);
  t.same(
    states.map(([state]) => state),
    ['connecting', 'failed', 'closed'],
    'connecting, failed, closed',
  );
  t.match(states[1]![1], { code: 'VAPI_ERR_WEBRTC_CONNECT_TIMEOUT', category: 'timeout', details: { connectTimeoutMs: 300 } }, 'failed with the timeout error');
  await waitFor(() => ['UDPWrap', 'Timeout'].every((type) => (handles().get(type) ?? 0) <= (before.get(type) ?? 0)), 'handles to be released', 3000).catch(() => {});
  t.ok((handles().get('UDPWrap') ?? 0) <= (before.get('UDPWrap') ?? 0), 'its socket is closed');
  t.ok((handles().get('Timeout') ?? 0) <= (before.get('Timeout') ?? 0), 'no timer left');
});

t.test('answer() twice, or after close()', async (t) => {
  const peer = serverPeer();
  const first = peer.answer(offer);
  await t.rejects(peer.answer(offer), { code: 'VAPI_ERR_WEBRTC_STATE', category: 'invalid_request' }, 'a second answer() is refused');
  await first;
  await peer.close();

  const closedEarly = serverPeer();
  const answering = closedEarly.answer(offer);
  void closedEarly.close();
  await t.rejects(answering, { code: 'VAPI_ERR_WEBRTC_STATE' }, 'close() during answer() rejects it');
  t.equal(closedEarly.state, 'closed');
});

t.test('ICE candidates', async (t) => {
  const peer = serverPeer();
  t.teardown(() => peer.close());
  await peer.answer(offer);
  for (const bad of [{ candidate: 'garbage', sdpMid: '0' }, { candidate: 'candidate:1 1 udp 1 1.2.3.4 notaport typ host', sdpMid: '0' }, { nope: true }, 'candidate:1 1 udp 1 127.0.0.1 5000 typ host']) {
    await t.rejects(peer.addIceCandidate(bad as never), { code: 'VAPI_ERR_WEBRTC_CANDIDATE', category: 'bad_input' }, `refused: ${JSON.stringify(bad)}`);
  }
  await t.rejects(peer.addIceCandidate({ candidate: 'candidate:1 1 udp 2116026367 127.0.0.1 5000 typ host', sdpMid: '9' }), { code: 'VAPI_ERR_WEBRTC_CANDIDATE' }, 'an m-line the offer does not have');
  await t.resolves(peer.addIceCandidate({ candidate: 'candidate:1 1 udp 2116026367 127.0.0.1 5000 typ host', sdpMid: '0' }), 'a good one');
  await t.resolves(peer.addIceCandidate({ candidate: 'a=candidate:2 1 udp 2116026367 127.0.0.1 5001 typ host' }), 'with an a= prefix and no m-line (the first is assumed)');
  await t.resolves(peer.addIceCandidate({ candidate: 'candidate:3 1 udp 2116026367 0b9e5d5c-1f2a-4c3e-9d8f-123456789abc.local 5002 typ host', sdpMid: '0' }), 'an mDNS candidate is skipped');
  await t.resolves(peer.addIceCandidate(null), 'end of candidates');
});

t.test('options', async (t) => {
  const bad: Array<Record<string, unknown>> = [
    { portRange: [5000, 5000] },
    { portRange: [80, 5000] },
    { portRange: [6000, 5000] },
    { portRange: [5000.5, 6000] },
    { bindAddress: 'localhost' },
    { announcedIp: '::1' },
    { announcedIp: '0.0.0.0' },
    { iceServers: [{ urls: 'http://stun.example.com' }] },
    { iceServers: [{ urls: [] }] },
    { connectTimeoutMs: 0 },
    { mediaTimeoutMs: -1 },
    { mediaTimeoutMs: Number.NaN },
    { opus: undefined },
  ];
  for (const options of bad) {
    t.throws(() => serverPeer(options), { code: 'VAPI_ERR_WEBRTC_OPTIONS', category: 'invalid_request', fix: /./ }, JSON.stringify(options));
  }
  t.doesNotThrow(() => serverPeer({ portRange: [40000, 40100], announcedIp: '203.0.113.7', iceServers: [{ urls: ['stun:stun.example.com:3478', 'turn:turn.example.com'], username: 'u', credential: 'c' }] }));
  t.ok(opus, 'the opus factory is there');
});

t.test('announcedIp goes into the candidates; sockets stay on the bind address and port range', async (t) => {
  const base = 40000 + Math.floor(Math.random() * 20000);
  const peer = serverPeer({ announcedIp: '203.0.113.7', portRange: [base, base + 50] });
  // No client: the answer is only read, so nothing is ever sent to the documentation address.
  const answer = await peer.answer(offer);
  await peer.close();
  const lines = candidateLines(answer);
  t.equal(lines.length, 1, 'one candidate');
  const [, , , , address, port] = lines[0]!.split(' ');
  t.equal(address, '203.0.113.7', 'announcing the public address');
  t.ok(Number(port) >= base && Number(port) <= base + 50, `a port in the range (${port})`);
});
