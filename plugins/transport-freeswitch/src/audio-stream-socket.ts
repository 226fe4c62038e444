/**
 * The WebSocket mod_audio_stream opens to us for a call (`uuid_audio_stream <uuid> start
 * ws://…/freeswitch/audio/<uuid> mono 16k <metadata>`). Its first frame is text: the metadata we
 * gave, carrying a per-call token, so nobody else can feed audio into a call. Then binary frames of
 * raw s16le mono PCM (20 ms, or a multiple with STREAM_BUFFER_SIZE), re-framed here into the 20 ms
 * frames the engine takes. A socket for a call we do not know, a wrong token, or audio before
 * the metadata is closed with a 44xx code and logged.
 */
import { audioFrame, FrameChunker, type Logger, type WebSocketConnection } from '@vapi-cn/sdk-plugin-api';
import type { FreeswitchLeg } from './freeswitch-leg.js';

export const AUDIO_CLOSE = {
  unknownCall: 4404,
  badToken: 4401,
  badStream: 4400,
} as const;

/** What the transport expects on a call's audio socket. */
export interface ExpectedStream {
  leg: FreeswitchLeg;
  token: string;
  /** The socket authenticated: caller audio flows from now on. */
  connected(): void;
  /** The socket closed while the leg was still up. */
  lost(code: number): void;
}

export function acceptAudioStream(socket: WebSocketConnection, uuid: string, expected: ExpectedStream | undefined, log: Logger): void {
  if (!expected || expected.leg.isEnded) {
    log.warn({ callId: uuid }, 'mod_audio_stream connected for a call this server does not know: closed');
    socket.close(AUDIO_CLOSE.unknownCall, 'unknown call');
    return;
  }
  const { leg } = expected;
  const rate = leg.inputSampleRate;
  const chunker = new FrameChunker(rate);
  let authenticated = false;
  let receivedMs = 0;
  let oddBytes = 0;

  const emit = (samples: Int16Array): void => {
    leg.callerAudio(audioFrame(samples, rate, receivedMs));
    receivedMs += (samples.length * 1000) / rate;
  };

  socket.on('message', (data, isBinary) => {
    if (!authenticated) {
      if (isBinary || !tokenMatches(data, expected.token)) {
        log.warn({ callId: uuid, binary: isBinary }, 'mod_audio_stream socket did not start with this call\'s metadata: closed');
        socket.close(isBinary ? AUDIO_CLOSE.badStream : AUDIO_CLOSE.badToken, isBinary ? 'metadata expected first' : 'bad token');
        return;
      }
      authenticated = true;
      leg.mediaSocket = socket;
      expected.connected();
      return;
    }
    if (!isBinary) return; // `stop` text and the like: nothing for the engine.
    if (data.length % 2 !== 0) {
      // Half a sample cannot be placed: drop the frame rather than shift every sample after it.
      if (oddBytes++ === 0) log.warn({ callId: uuid, bytes: data.length }, 'mod_audio_stream sent an odd-length frame: dropped');
      return;
    }
    const samples = data.byteOffset % 2 === 0
      ? new Int16Array(data.buffer, data.byteOffset, data.length / 2)
      : new Int16Array(new Uint8Array(data).buffer);
    chunker.push(samples, emit);
  });
  socket.on('close', (code) => {
    if (leg.mediaSocket === socket) leg.mediaSocket = undefined;
    if (authenticated && !leg.isEnded) expected.lost(code);
  });
  socket.on('error', (error) => log.warn({ err: error, callId: uuid }, 'mod_audio_stream socket error'));
}

function tokenMatches(data: Buffer, token: string): boolean {
  try {
    const metadata = JSON.parse(data.toString('utf8')) as { token?: unknown };
    return metadata.token === token;
  } catch {
    return false;
  }
}
