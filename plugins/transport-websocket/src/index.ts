/**
 * transport-websocket: calls over a plain WebSocket.
 * - `/v1/voice/ws`: the voice API for apps and browsers (JSON control + binary PCM16LE or Opus).
 * - `/v1/twilio/media`: Twilio Media Streams compatible (base64 µ-law 8 kHz in JSON), so CPaaS
 *   media streams and any µ-law WebSocket source can drive an assistant.
 * Both need an API key (`Authorization: Bearer` or `?api_key=`). See docs/transports.md.
 */
import { randomUUID } from 'node:crypto';
import { coreRefs, definePlugin, stageRefs, transportRefs, Type, webrtcRefs } from '@vapi-cn/sdk-plugin-api';
import { SocketTransport } from './socket-transport.js';
import { TwilioMediaSession } from './twilio-media-session.js';
import { VoiceSession } from './voice-session.js';

export { parseClientMessage, PCM_SAMPLE_RATES, OPUS_SAMPLE_RATES, type ClientMessage, type StartMessage } from './client-messages.js';
export { SocketLeg, type LegWire } from './socket-leg.js';
export { toServerMessage, VoiceSession } from './voice-session.js';
export { TwilioMediaSession } from './twilio-media-session.js';
export { CLOSE } from './errors.js';

const Options = Type.Object(
  {
    path: Type.String({ default: '/v1/voice/ws', pattern: '^/', description: 'Path of the voice WebSocket API' }),
    twilioPath: Type.String({ default: '/v1/twilio/media', pattern: '^/', description: 'Path of the Twilio Media Streams compatible endpoint' }),
    startTimeoutMs: Type.Integer({ minimum: 100, default: 10_000, description: 'A connection that sends no start within this is closed (4408)' }),
    pingIntervalMs: Type.Integer({ minimum: 100, default: 15_000, description: 'Ping period; a client that misses one is taken as gone and its call ended' }),
    maxMessageBytes: Type.Integer({ minimum: 1024, default: 256 * 1024, description: 'Largest accepted message; bigger ones close the socket with 1009' }),
    maxBufferedBytes: Type.Integer({ minimum: 1024, default: 512 * 1024, description: 'Bot audio is dropped while a client has this much unread' }),
  },
  { additionalProperties: false },
);

export default definePlugin({
  id: 'transport-websocket',
  version: '1.0.0',
  apiVersion: '^1.0.0',
  description: 'Voice over WebSocket: the /v1/voice/ws API (PCM or Opus) and a Twilio Media Streams compatible endpoint',
  configSchema: Options,
  provides: [transportRefs.transports],
  requires: { http: coreRefs.http, clock: coreRefs.clock, codecs: stageRefs.codecs },
  optional: { webrtc: webrtcRefs.peers },
  setup(ctx, options) {
    const { http, clock, codecs } = ctx.deps;
    const voice = new SocketTransport('websocket');
    const twilio = new SocketTransport('twilio-media');
    ctx.provide(transportRefs.transports, 'websocket', voice);
    ctx.provide(transportRefs.transports, 'twilio-media', twilio);
    const wsOptions = { auth: 'apiKey' as const, maxPayload: options.maxMessageBytes };

    http.websocket(
      options.path,
      (socket, request) => {
        new VoiceSession({
          socket,
          log: request.log,
          clock,
          opus: codecs.get('opus'),
          webrtc: ctx.optionalDeps.webrtc,
          accept: (leg, call) => voice.accept(leg, call),
          newCallId: randomUUID,
          startTimeoutMs: options.startTimeoutMs,
          pingIntervalMs: options.pingIntervalMs,
          maxBufferedBytes: options.maxBufferedBytes,
        });
      },
      wsOptions,
    );

    http.websocket(
      options.twilioPath,
      (socket, request) => {
        const pcmu = codecs.get('pcmu');
        if (!pcmu) {
          request.log.error('twilio media stream refused: the codec-g711 plugin is not enabled');
          socket.close(1011, 'codec-g711 not enabled');
          return;
        }
        new TwilioMediaSession({
          socket,
          log: request.log,
          clock,
          pcmu,
          assistantId: request.query.assistant_id,
          accept: (leg, call) => twilio.accept(leg, call),
          newCallId: randomUUID,
          startTimeoutMs: options.startTimeoutMs,
        });
      },
      wsOptions,
    );
    if (!codecs.get('pcmu')) ctx.log.warn('codec-g711 is not enabled: Twilio media streams will be refused');
  },
});
