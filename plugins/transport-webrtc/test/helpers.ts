/**
 * A werift client peer on 127.0.0.1 standing in for the browser, connected to a WebRtcPeer with
 * offer/answer and trickled candidates both ways; plus tone helpers.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket, type RTCRtpTransceiver } from 'werift';
import { audioFrame, concatPcm, sineWave, stageRefs, type AudioCodecFactory, type JitterBufferFactory, type RtcPeer } from '@vapi-cn/sdk-plugin-api';
import { setupPlugin } from '@vapi-cn/sdk-plugin-api/testkit';
import opusPlugin from '../../codec-opus/src/index.js';
import jitterPlugin from '../../stage-jitter-buffer/src/index.js';
import { WebRtcPeer, type IceCandidateInit, type WebRtcPeerOptions } from '../src/webrtc-peer.js';

export const opus: AudioCodecFactory = (await setupPlugin(opusPlugin)).registry(stageRefs.codecs).get('opus')!;
export const jitterBuffers: JitterBufferFactory = (await setupPlugin(jitterPlugin)).registry(stageRefs.jitterBuffers).get('default')!;

export const FRAME = 960;

/** A server peer on loopback only. */
export function serverPeer(options: Partial<WebRtcPeerOptions> = {}): WebRtcPeer {
  return new WebRtcPeer({ opus, bindAddress: '127.0.0.1', ...options });
}

/** The browser stand-in: werift on 127.0.0.1 only, no STUN (werift's default would query Google). */
export function clientPeer(): RTCPeerConnection {
  return new RTCPeerConnection({
    codecs: { audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: 111 })], video: [] },
    iceServers: [],
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
  });
}

/** The SDP without its candidates, as a trickling browser sends it. */
export function withoutCandidates(sdp: string): string {
  return sdp
    .split('\r\n')
    .filter((line) => !line.startsWith('a=candidate:') && line !== 'a=end-of-candidates')
    .join('\r\n');
}

export function candidateLines(sdp: string): string[] {
  return sdp.split('\r\n').filter((line) => line.startsWith('a=candidate:'));
}

export interface ReceivedPacket {
  ssrc: number;
  sequence: number;
  timestamp: number;
  marker: boolean;
  payloadType: number;
  payload: Uint8Array;
}

export interface Connected {
  client: RTCPeerConnection;
  transceiver: RTCRtpTransceiver;
  answer: string;
  /** Candidates the server trickled. */
  trickled: Array<IceCandidateInit | null>;
  /** Errors the client's addIceCandidate() raised for them. */
  trickleErrors: unknown[];
  /** RTP the client received from the server. */
  received: ReceivedPacket[];
}

/**
 * Offer from the client without candidates, answer from the server, then candidates trickled
 * both ways. `answerCandidates: false` strips them from the answer too, so only trickle can work.
 */
export async function connect(peer: RtcPeer, { answerCandidates = false } = {}): Promise<Connected> {
  const client = clientPeer();
  const transceiver = client.addTransceiver('audio', { direction: 'sendrecv' });
  const received: ReceivedPacket[] = [];
  client.onTrack.subscribe((track) => {
    track.onReceiveRtp.subscribe(({ header, payload }) => {
      received.push({ ssrc: header.ssrc, sequence: header.sequenceNumber, timestamp: header.timestamp, marker: header.marker, payloadType: header.payloadType, payload: Uint8Array.from(payload) });
    });
  });
  const clientCandidates: IceCandidateInit[] = [];
  client.onIceCandidate.subscribe((candidate) => {
    if (candidate) clientCandidates.push(candidate.toJSON() as IceCandidateInit);
  });
  const trickled: Array<IceCandidateInit | null> = [];
  const trickleErrors: unknown[] = [];
  peer.onIceCandidate((candidate) => {
    trickled.push(candidate);
    client.addIceCandidate(candidate).catch((error: unknown) => trickleErrors.push(error));
  });
  await client.setLocalDescription(await client.createOffer());
  const answer = await peer.answer(withoutCandidates(client.localDescription!.sdp));
  await client.setRemoteDescription({ type: 'answer', sdp: answerCandidates ? answer : withoutCandidates(answer) });
  for (const candidate of clientCandidates) await peer.addIceCandidate(candidate);
  await peer.addIceCandidate(null);
  await waitFor(() => peer.state === 'connected' && client.connectionState === 'connected', 'both sides connected');
  return { client, transceiver, answer, trickled, trickleErrors, received };
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Calls `send(i, slotMs)` for frames 0..count-1 at real time, each at its own 20 ms slot. */
export async function paced(count: number, send: (index: number, slotMs: number) => void | Promise<void>): Promise<void> {
  const origin = performance.now();
  for (let i = 0; i < count; i++) {
    const due = origin + i * 20;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    await send(i, due);
  }
}

/** Sends `tone` from the client as Opus RTP, 20 ms a packet at real time; `order` may reorder or repeat packet indexes. */
export async function sendToneFromClient(transceiver: RTCRtpTransceiver, tone: Int16Array, order?: number[]): Promise<void> {
  const encoder = opus.create({ sampleRate: 48000 });
  const packets: Buffer[] = [];
  for (let at = 0; at + FRAME <= tone.length; at += FRAME) packets.push(Buffer.from(encoder.encode(audioFrame(tone.subarray(at, at + FRAME), 48000))));
  encoder.close();
  const indexes = order ?? packets.map((_, i) => i);
  const firstSequence = 40000;
  const firstTimestamp = 123456;
  await paced(indexes.length, async (n) => {
    const i = indexes[n]!;
    const header = new RtpHeader({ payloadType: 111, sequenceNumber: (firstSequence + i) & 0xffff, timestamp: firstTimestamp + i * FRAME, marker: i === 0 });
    await transceiver.sender.sendRtp(new RtpPacket(header, packets[i]!));
  });
}

/** Decodes the client's received packets, in sequence order, to one PCM buffer. */
export function decodePackets(packets: ReceivedPacket[]): Int16Array {
  const decoder = opus.create({ sampleRate: 48000 });
  const out = packets.map((packet, i) => decoder.decode(packet.payload, i * 20).samples.slice());
  decoder.close();
  return concatPcm(out);
}

export function tone440(ms: number): Int16Array {
  return sineWave(440, 48000, ms, 0.5);
}

/** Counts of active handles by type (UDPWrap, Timeout...). */
export function handles(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}
