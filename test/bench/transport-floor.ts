/**
 * The floor of bench:transport (BENCH_FLOOR=1): a server with no engine, doing per frame only what
 * any server of these calls must do, with the same parts ours uses. It speaks the part of the voice
 * API the bench clients use:
 *   PCM     `start` → `status connected` (16 kHz, the rate the bench's clients send); caller frames are read and dropped; bot audio (a looped
 *           440 Hz tone, as the bench TTS speaks) is paced by stage-pacer's RealtimePacer and sent
 *           as transport-websocket sends it (one binary message per 20 ms frame)
 *   WebRTC  `start` with sdp_offer → transport-webrtc's WebRtcPeer (codec-opus at its defaults)
 *           answers; candidates both ways; caller audio is decoded and dropped; bot audio is paced
 *           the same way and encoded by the peer
 * Measured with the same clients, it tells what the machine, ws, werift and the clients cost
 * before any engine work: the real server cannot be faster than this.
 */
import http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { audioFrame, pcm16ToBytes, sineWave, stageRefs, SystemClock, type AudioFrame, type AudioPacer } from '@vapi-cn/sdk-plugin-api';
import { setupPlugin } from '@vapi-cn/sdk-plugin-api/testkit';
import opusPlugin from '../../plugins/codec-opus/src/index.js';
import { RealtimePacer } from '../../plugins/stage-pacer/src/index.js';
import { WebRtcPeer } from '../../plugins/transport-webrtc/src/webrtc-peer.js';

const PCM_RATE = 16000;
/** transport-webrtc's default rates: bot audio is encoded from 24 kHz (the bench TTS speaks at it), caller audio decoded to 16. */
const WEBRTC_RATE = 24000;
const WEBRTC_INPUT_RATE = 16000;

export interface FloorServer {
  url: string;
  stop(): Promise<void>;
}

export async function startFloorServer(): Promise<FloorServer> {
  const opus = (await setupPlugin(opusPlugin)).registry(stageRefs.codecs).get('opus')!;
  const tones = new Map([PCM_RATE, WEBRTC_RATE].map((rate) => [rate, audioFrame(sineWave(440, rate, 1000, 0.3), rate)]));
  const server = http.createServer();
  const sockets = new WebSocketServer({ server, path: '/v1/voice/ws', maxPayload: 64 * 1024 });
  const closers = new Set<() => void>();
  const clock = new SystemClock();

  /** A pacer that sends the tone for ever: a second more is queued whenever under half a second is left. */
  const botVoice = (rate: number, send: (frame: AudioFrame) => void): AudioPacer => {
    const tone = tones.get(rate)!;
    const pacer: AudioPacer = new RealtimePacer({
      clock,
      sampleRate: rate,
      fillSilence: false,
      maxCatchUpFrames: 5,
      leadMs: 0,
      onFrame: (frame) => {
        send(frame);
        if (pacer.queuedMs < 500) pacer.enqueue(tone);
      },
    });
    pacer.enqueue(tone);
    return pacer;
  };

  sockets.on('connection', (socket: WebSocket) => {
    let pacer: AudioPacer | undefined;
    let peer: WebRtcPeer | undefined;
    const json = (message: Record<string, unknown>) => socket.readyState === 1 && socket.send(JSON.stringify(message));
    const close = () => {
      pacer?.stop();
      void peer?.close();
      closers.delete(close);
    };
    closers.add(close);
    socket.on('close', close);
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return; // caller audio: read, then dropped
      const message = JSON.parse(String(data)) as { type: string; sdp_offer?: string; candidate?: unknown };
      if (message.type === 'stop') return socket.close(1000);
      if (message.type === 'ice_candidate') return void peer?.addIceCandidate(message.candidate as never).catch(() => {});
      if (message.type !== 'start') return;
      if (!message.sdp_offer) {
        json({ type: 'status', status: 'connected', call_id: 'floor', sample_rate: PCM_RATE, encoding: 'pcm' });
        pacer = botVoice(PCM_RATE, (frame) => {
          if (socket.readyState === 1) socket.send(Buffer.from(pcm16ToBytes(frame.samples)));
        });
        return pacer.start();
      }
      const rtc = (peer = new WebRtcPeer({ iceServers: [], bindAddress: '127.0.0.1', opus, inputSampleRate: WEBRTC_INPUT_RATE, outputSampleRate: WEBRTC_RATE }));
      rtc.onAudio(() => {}); // decoded, then dropped
      rtc.onStateChange((state) => {
        if (state === 'connected') (pacer = botVoice(WEBRTC_RATE, (frame) => rtc.sendFrame(frame))).start();
      });
      // An offer the peer refuses ends the call, as the real server's would: the client counts it failed.
      rtc.answer(message.sdp_offer).then(
        (sdp) => {
          json({ type: 'sdp_answer', sdp });
          rtc.onIceCandidate((candidate) => json({ type: 'ice_candidate', candidate }));
        },
        (error: Error) => {
          json({ type: 'error', code: 'FLOOR_ANSWER', message: error.message });
          socket.close(1011);
        },
      );
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}`,
    async stop() {
      for (const close of [...closers]) close();
      for (const socket of sockets.clients) socket.terminate();
      await new Promise((resolve) => sockets.close(resolve));
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
