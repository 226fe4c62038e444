/**
 * WebRTC end to end through the voice WebSocket: a werift client (the browser's stand-in) sends
 * its offer in `start`, gets `sdp_answer`, trickles candidates both ways, speaks over Opus and
 * hears the bot over Opus, while transcripts and responses arrive on the socket.
 */
import t from 'tap';
import { audioFrame, sineWave, zeroCrossingFrequency } from '@vapi-cn/sdk-plugin-api';
import { RtpHeader, RtpPacket } from 'werift';
import { Client, startServer, waitForEnd } from '../../transport-websocket/test/helpers.js';
import { clientPeer, decodePackets, FRAME, opus, paced, waitFor, withoutCandidates, type ReceivedPacket } from './helpers.js';

const WEBRTC = { 'transport-webrtc': { options: { bindAddress: '127.0.0.1' } } };

t.test('offer in start, answer and candidates back, a spoken turn over Opus both ways', async (t) => {
  const { wsUrl, store } = await startServer(t, {}, {}, WEBRTC);
  const peer = clientPeer();
  t.teardown(() => peer.close());
  const transceiver = peer.addTransceiver('audio', { direction: 'sendrecv' });
  const received: ReceivedPacket[] = [];
  peer.onTrack.subscribe((track) => {
    track.onReceiveRtp.subscribe(({ header, payload }) => {
      received.push({ ssrc: header.ssrc, sequence: header.sequenceNumber, timestamp: header.timestamp, marker: header.marker, payloadType: header.payloadType, payload: Uint8Array.from(payload) });
    });
  });
  const client = new Client(`${wsUrl}/v1/voice/ws`);
  await client.opened();
  peer.onIceCandidate.subscribe((candidate) => client.send({ type: 'ice_candidate', candidate: candidate ? candidate.toJSON() : null }));
  client.socket.on('message', (data, isBinary) => {
    if (isBinary) return;
    const message = JSON.parse(String(data));
    if (message.type === 'ice_candidate' && message.candidate) void peer.addIceCandidate(message.candidate).catch(() => {});
  });
  await peer.setLocalDescription(await peer.createOffer());
  client.send({ type: 'start', assistant_id: 'demo', sdp_offer: withoutCandidates(peer.localDescription!.sdp) });
  const answer = await client.waitFor((m) => m.type === 'sdp_answer');
  await peer.setRemoteDescription({ type: 'answer', sdp: answer.sdp as string });
  t.match(await client.waitFor((m) => m.status === 'connected'), { encoding: 'webrtc', sample_rate: 48000 });
  await waitFor(() => peer.connectionState === 'connected', 'the client connected');

  // 600 ms of "speech" then 800 ms of silence, as Opus RTP at real time.
  const encoder = opus.create({ sampleRate: 48000 });
  const speech = sineWave(300, 48000, 600, 0.4);
  const frames = Array.from({ length: 70 }, (_, i) => (i < 30 ? speech.subarray(i * FRAME, (i + 1) * FRAME) : new Int16Array(FRAME)));
  await paced(frames.length, async (i) => {
    const header = new RtpHeader({ payloadType: 111, sequenceNumber: 1000 + i, timestamp: 5000 + i * FRAME, marker: i === 0 });
    await transceiver.sender.sendRtp(new RtpPacket(header, Buffer.from(encoder.encode(audioFrame(frames[i]!, 48000)))));
  });
  encoder.close();
  t.match(await client.waitFor((m) => m.type === 'transcript' && m.is_final === true), { text: 'hello there' });
  t.match(await client.waitFor((m) => m.type === 'response' && m.is_final === true), { text: 'Hello, how can I help?' });
  await waitFor(() => received.length >= 40, 'bot audio over RTP');
  const heard = decodePackets(received.slice(5, 40).sort((a, b) => a.sequence - b.sequence));
  t.ok(Math.abs(zeroCrossingFrequency(heard, 48000) - 440) < 30, `the bot's 440 Hz tone over Opus (${zeroCrossingFrequency(heard, 48000).toFixed(0)} Hz)`);
  t.equal(client.binary.length, 0, 'no audio on the socket: it carries signalling and messages only');
  // The client trickled from setLocalDescription on, before start: held, then used, never refused.
  t.same(client.messages.filter((m) => m.type === 'error'), [], 'no error, though candidates came before start');

  const id = (client.messages.find((m) => m.status === 'connected')!.call_id) as string;
  client.send({ type: 'stop' });
  t.match(await client.closed, { code: 1000 });
  t.match(await waitForEnd(store, id), { endReason: 'client-stop', metadata: { client: 'webrtc' } });
});

t.test('a malformed offer: an error naming the SDP problem, close 4400', async (t) => {
  const { wsUrl } = await startServer(t, {}, {}, WEBRTC);
  const client = new Client(`${wsUrl}/v1/voice/ws`);
  await client.opened();
  client.send({ type: 'start', assistant_id: 'demo', sdp_offer: 'v=0\r\nthis is not sdp' });
  t.match(await client.waitFor((m) => m.type === 'error'), { code: 'VAPI_ERR_WEBRTC_SDP' });
  t.match(await client.closed, { code: 4400 });
});

t.test('without transport-webrtc an offer is refused with a fix', async (t) => {
  const { wsUrl } = await startServer(t);
  const client = new Client(`${wsUrl}/v1/voice/ws`);
  await client.opened();
  client.send({ type: 'start', assistant_id: 'demo', sdp_offer: 'v=0' });
  t.match(await client.waitFor((m) => m.type === 'error'), { code: 'VAPI_ERR_WS_PROTOCOL', fix: /transport-webrtc/ });
  t.match(await client.closed, { code: 4400 });
});
