/**
 * A WebRtcPeer and a werift client in this process, over 127.0.0.1: audio both ways, trickle
 * ICE, the jitter buffer path, and what close() releases.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { concatPcm, dbfs, zeroCrossingFrequency, type AudioFrame } from '@vapi-cn/sdk-plugin-api';
import { RtcpReceiverInfo, RtcpRrPacket, RtcpSenderInfo, RtcpSrPacket } from 'werift';
import type { WebRtcPeerState } from '../src/webrtc-peer.js';
import { candidateLines, connect, decodePackets, FRAME, handles, jitterBuffers, paced, sendToneFromClient, serverPeer, tone440, waitFor } from './helpers.js';

/** Copies of the frames a peer delivers, checking each is 20 ms at 48 kHz. */
function collect(frames: Int16Array[], bad: string[]) {
  return (frame: AudioFrame) => {
    if (frame.sampleRate !== 48000 || frame.samples.length !== FRAME) bad.push(`${frame.sampleRate} Hz, ${frame.samples.length} samples`);
    frames.push(frame.samples.slice());
  };
}

const WATCHED = ['UDPWrap', 'Timeout', 'Immediate'];

function released(before: Map<string, number>): boolean {
  const now = handles();
  return WATCHED.every((type) => (now.get(type) ?? 0) <= (before.get(type) ?? 0));
}

/** The tone's steady part: Opus needs a few frames to settle, and the last may be concealment. */
function steady(frames: Int16Array[]): Int16Array {
  return concatPcm(frames.slice(5, -2));
}

t.test('a tone sent by the client arrives decoded as 20 ms 48 kHz frames (trickle ICE only)', async (t) => {
  const peer = serverPeer();
  const frames: Int16Array[] = [];
  const bad: string[] = [];
  peer.onAudio(collect(frames, bad));
  const { client, transceiver, answer, trickled, trickleErrors } = await connect(peer, { answerCandidates: false });
  t.teardown(async () => {
    await peer.close();
    await client.close();
  });

  t.ok(candidateLines(answer).length > 0, 'the answer lists candidates too');
  for (const line of candidateLines(answer)) t.match(line, / 127\.0\.0\.1 \d+ typ host/, 'candidates are on 127.0.0.1 only');
  t.ok(trickled.filter(Boolean).length > 0, 'local candidates were trickled');
  t.equal(trickled.at(-1), null, 'then end-of-candidates');
  t.same(trickleErrors, [], 'the client took every trickled candidate');
  t.match(answer, /a=rtpmap:111 opus\/48000\/2/, 'Opus on payload type 111');
  t.match(answer, /a=sendrecv/, 'sendrecv');
  t.match(answer, /a=fingerprint:sha-256 /, 'DTLS-SRTP');

  await sendToneFromClient(transceiver, tone440(1000));
  await waitFor(() => frames.length >= 50, 'the tone to arrive', 2000).catch(() => {});
  t.same(bad, [], 'every frame is 960 samples at 48 kHz');
  t.ok(frames.length >= 45 && frames.length <= 52, `about 50 frames arrived (${frames.length})`);
  const pcm = steady(frames);
  const frequency = zeroCrossingFrequency(pcm, 48000);
  t.ok(Math.abs(frequency - 440) < 8, `440 Hz received (${frequency.toFixed(1)} Hz)`);
  t.ok(dbfs(pcm) > -15, `at the level sent (${dbfs(pcm).toFixed(1)} dBFS)`);
  t.equal(peer.stats.packets, frames.length, 'one frame per packet, counted in stats');
});

t.test('frames sent by the server arrive at the client as Opus RTP with correct numbering', async (t) => {
  const peer = serverPeer();
  const { client, received, trickleErrors } = await connect(peer, { answerCandidates: true });
  t.teardown(async () => {
    await peer.close();
    await client.close();
  });

  const tone = tone440(1000);
  const frame = (i: number, slotMs: number): AudioFrame => ({ kind: 'audio', samples: tone.subarray((i % 50) * FRAME, (i % 50 + 1) * FRAME), sampleRate: 48000, timestamp: slotMs });
  // 25 frames, a 200 ms pause (the bot stopped talking), 25 more.
  let sent = 0;
  await paced(25, (i, slot) => void (peer.sendFrame(frame(i, slot)) && sent++));
  await new Promise((resolve) => setTimeout(resolve, 200));
  await paced(25, (i, slot) => void (peer.sendFrame(frame(25 + i, slot)) && sent++));
  t.same(trickleErrors, [], 'candidates trickled again after the answer listed them do no harm');
  t.equal(sent, 50, 'sendFrame() took every frame');
  await waitFor(() => received.length >= 50, 'the packets to arrive', 3000).catch(() => {});
  t.equal(received.length, 50, 'every packet arrived');
  t.equal(peer.stats.packetsSent, 50);

  const ssrc = peer.ssrc;
  t.ok(received.every((p) => p.ssrc === ssrc && p.payloadType === 111), 'the transceiver SSRC and payload type 111');
  t.ok(received[0]!.marker, 'marker on the first packet');
  for (let i = 1; i < received.length; i++) {
    const p = received[i]!;
    const prev = received[i - 1]!;
    if (p.sequence !== ((prev.sequence + 1) & 0xffff)) t.fail(`sequence ${prev.sequence} -> ${p.sequence}`);
    const step = (p.timestamp - prev.timestamp) >>> 0;
    if (i === 25) {
      t.ok(p.marker, 'marker on the first packet after the pause');
      t.ok(step >= 10 * 960 && step % 960 === 0, `the timestamp jumps over the pause in whole frames (${step / 960} frames)`);
    } else {
      if (step !== 960) t.fail(`timestamp step ${step} at packet ${i}`);
      if (p.marker) t.fail(`unexpected marker at packet ${i}`);
    }
  }
  const pcm = decodePackets(received.slice(5, 25));
  const frequency = zeroCrossingFrequency(pcm, 48000);
  t.ok(Math.abs(frequency - 440) < 8, `the client decodes 440 Hz (${frequency.toFixed(1)} Hz)`);
});

t.test("the client's loss reports switch the bot's Opus from CELT to SILK with FEC and back", async (t) => {
  const peer = serverPeer();
  const { client, transceiver, received } = await connect(peer, { answerCandidates: true });
  t.teardown(async () => {
    await peer.close();
    await client.close();
  });
  // The client sends audio too, so the server knows its SSRC (sender reports are routed by it).
  await sendToneFromClient(transceiver, tone440(200));
  const tone = tone440(1000);
  let n = 0;
  /** Ten bot frames; returns the Opus modes (TOC configs) of those the client received, after the first two (libopus changes mode over a frame or two). */
  const botSpeaks = async (): Promise<number[]> => {
    const from = received.length;
    await paced(10, (_, slot) => void peer.sendFrame({ kind: 'audio', samples: tone.subarray((n % 50) * FRAME, ((n++ % 50) + 1) * FRAME), sampleRate: 48000, timestamp: slot }));
    await waitFor(() => received.length >= from + 10, 'the bot frames', 2000);
    return received.slice(from + 2).map((p) => p.payload[0]! >> 3);
  };
  const silk = (configs: number[]) => configs.every((config) => config < 16);
  const celt = (configs: number[]) => configs.every((config) => config >= 16);
  const report = (fractionLost: number) => new RtcpReceiverInfo({ ssrc: peer.ssrc, fractionLost, packetsLost: 0, highestSequence: 0, jitter: 0, lsr: 0, dlsr: 0 });
  const receiverReport = (fractionLost: number) => new RtcpRrPacket({ ssrc: 4242, reports: [report(fractionLost)] });
  const senderReport = (fractionLost: number) =>
    new RtcpSrPacket({ ssrc: transceiver.sender.ssrc, senderInfo: new RtcpSenderInfo({ ntpTimestamp: 0n, rtpTimestamp: 0, packetCount: 10, octetCount: 600 }), reports: [report(fractionLost)] });
  const sendRtcp = async (packet: RtcpRrPacket | RtcpSrPacket, loss: number) => {
    await transceiver.receiver.dtlsTransport.sendRtcp([packet]);
    await waitFor(() => peer.stats.reportedLoss === loss, `the report of ${loss}`, 2000);
  };

  const clean = await botSpeaks();
  t.ok(celt(clean), `no loss reported: CELT (${clean.join(',')})`);
  await sendRtcp(receiverReport(64), 0.25);
  const lossy = await botSpeaks();
  t.ok(silk(lossy), `a receiver report of 25% loss: SILK, which carries the FEC (${lossy.join(',')})`);
  // Expected loss halves with each report under it: 25% -> 12 -> 6 -> 3 (1/256 rounds to 0%).
  for (const fractionLost of [3, 2, 1]) await sendRtcp(receiverReport(fractionLost), fractionLost / 256);
  const recovered = await botSpeaks();
  t.ok(celt(recovered), `after three reports of almost no loss: CELT again (${recovered.join(',')})`);
  await sendRtcp(senderReport(128), 0.5);
  const fromSender = await botSpeaks();
  t.ok(silk(fromSender), `a sender report's block of 50% loss counts too (${fromSender.join(',')})`);
});

t.test('with a jitter buffer, reordered and duplicated packets play in order', async (t) => {
  const peer = serverPeer({ jitterBuffers, jitterBuffer: { targetDepth: 3 } });
  const frames: Int16Array[] = [];
  const bad: string[] = [];
  peer.onAudio(collect(frames, bad));
  const { client, transceiver } = await connect(peer);
  t.teardown(async () => {
    await peer.close();
    await client.close();
  });
  // Pairs swapped every 10 packets, and every 7th packet sent twice.
  const order: number[] = [];
  for (let i = 0; i < 50; i++) {
    order.push(i % 10 === 4 ? i + 1 : i % 10 === 5 ? i - 1 : i);
    if (i % 7 === 3) order.push(order.at(-1)!);
  }
  await sendToneFromClient(transceiver, tone440(1000), order);
  await waitFor(() => frames.length >= 49, 'playout to catch up', 3000).catch(() => {});
  t.same(bad, [], 'every frame is 960 samples at 48 kHz');
  t.ok(frames.length >= 45, `the tone played out (${frames.length} frames)`);
  const frequency = zeroCrossingFrequency(steady(frames), 48000);
  t.ok(Math.abs(frequency - 440) < 8, `440 Hz (${frequency.toFixed(1)} Hz)`);
  t.ok(peer.stats.late >= 7, `duplicates dropped (${peer.stats.late})`);
});

t.test('close() releases the sockets and timers, once', async (t) => {
  const before = handles();
  const peer = serverPeer();
  const states: WebRtcPeerState[] = [];
  peer.onStateChange((state) => states.push(state));
  const { client, answer } = await connect(peer, { answerCandidates: true });
  const ports = candidateLines(answer).map((line) => Number(line.split(' ')[5]));
  t.equal(ports.length, 1, 'one socket for the one bind address');

  const first = peer.close();
  t.equal(peer.close(), first, 'close() twice returns the same promise');
  await first;
  await peer.close();
  t.same(states, ['connecting', 'connected', 'closed'], 'closed reported once');
  t.equal(peer.state, 'closed');
  t.equal(peer.sendFrame({ kind: 'audio', samples: new Int16Array(FRAME), sampleRate: 48000, timestamp: 0 }), false, 'sendFrame() after close drops the frame');
  await t.resolves(peer.addIceCandidate({ candidate: 'candidate:1 1 udp 2116026367 127.0.0.1 5000 typ host', sdpMid: '0' }), 'a late candidate is ignored');
  await t.rejects(peer.answer('v=0'), { code: 'VAPI_ERR_WEBRTC_STATE' }, 'answer() after close is refused');

  // The port is free again: binding it succeeds.
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(ports[0], '127.0.0.1', resolve);
  });
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  t.pass(`127.0.0.1:${ports[0]} is free`);

  await client.close();
  // Node lists a closed socket until libuv finishes closing it, and werift's own short timers
  // (retransmission, RTCP) run out a few hundred ms after close: give them time.
  await waitFor(() => released(before), 'handles to be released', 3000).catch(() => {});
  const after = handles();
  for (const type of WATCHED) t.ok((after.get(type) ?? 0) <= (before.get(type) ?? 0), `no ${type} left open (${after.get(type) ?? 0} vs ${before.get(type) ?? 0})`);
});

t.test('a process that connects and closes a call exits by itself', async (t) => {
  const fixture = fileURLToPath(new URL('./fixtures/connect-and-close.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], { cwd: fileURLToPath(new URL('../../..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
  clearTimeout(killer);
  t.equal(code, 0, `exited on its own with code 0 (output: ${output.trim() || 'none'})`);
  t.match(output, /connected\nclosed/, 'after connecting and closing');
});
