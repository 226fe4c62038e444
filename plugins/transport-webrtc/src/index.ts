/**
 * transport-webrtc: WebRTC media on werift (Opus both ways, DTLS-SRTP, ICE). It provides peers
 * (`webrtcRefs.peers`) to the transport that carries the signalling: the voice WebSocket's `start`
 * brings the browser's SDP offer, the answer and trickled candidates go back on the same socket
 * (transport-websocket). Media then runs through the same stages as any call. See
 * docs/transports.md for the options (ICE servers, UDP port range, bind address, announced IP).
 */
import { coreRefs, definePlugin, stageRefs, Type, VapiError, webrtcRefs, type RtcPeer, type RtcPeerFactory } from '@vapi-cn/sdk-plugin-api';
import { checkNetworkOptions } from './peer-config.js';
import { WebRtcPeer } from './webrtc-peer.js';
import { MediaWorkers } from './worker/media-workers.js';

export { WebRtcPeer, type WebRtcPeerOptions, type WebRtcPeerState, type WebRtcPeerStats } from './webrtc-peer.js';
export { MediaWorkers, type MediaWorkersOptions } from './worker/media-workers.js';

const Options = Type.Object(
  {
    iceServers: Type.Array(
      Type.Object(
        {
          urls: Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })]),
          username: Type.Optional(Type.String()),
          credential: Type.Optional(Type.String()),
        },
        { additionalProperties: false },
      ),
      { default: [], description: 'STUN/TURN servers (stun:, turn:, turns: URLs); none by default' },
    ),
    portRange: Type.Optional(
      Type.Tuple([Type.Integer({ minimum: 1, maximum: 65535 }), Type.Integer({ minimum: 1, maximum: 65535 })], { description: 'UDP ports for media, inclusive, e.g. [40000, 40999]' }),
    ),
    bindAddress: Type.String({ default: '127.0.0.1', description: "IPv4 address media sockets bind to; '0.0.0.0' for every interface" }),
    announcedIp: Type.Optional(Type.String({ description: 'Public IPv4 to announce behind a 1:1 NAT (a cloud VM elastic IP)' })),
    connectTimeoutMs: Type.Integer({ minimum: 100, default: 15_000, description: 'A peer not connected within this fails and its call ends' }),
    inputSampleRate: Type.Union([8000, 12000, 16000, 24000, 48000].map((rate) => Type.Literal(rate)), {
      default: 16000,
      description: 'Rate caller audio is decoded to: what the VAD and STT listen at, so no resampler runs (Opus decodes to any of these)',
    }),
    outputSampleRate: Type.Union([8000, 12000, 16000, 24000, 48000].map((rate) => Type.Literal(rate)), {
      default: 24000,
      description: 'Rate bot audio is encoded from: TTS voices are 16-24 kHz, so 48 kHz would only add resampling and encoder work',
    }),
    mediaTimeoutMs: Type.Integer({
      minimum: 0,
      default: 15_000,
      description: 'A connected peer that receives no RTP or RTCP from the client for this long fails and its call ends (media-timeout); 0: off',
    }),
    mediaWorkers: Type.Integer({
      minimum: 0,
      maximum: 64,
      default: 0,
      description:
        'Worker threads that host the peers (ICE, DTLS-SRTP, Opus) and pace their bot audio, off the main event loop; 0: peers run on the main thread. For hosts with 4 or more cores (see docs/transports.md)',
    }),
    playoutLeadMs: Type.Integer({
      minimum: 40,
      maximum: 1000,
      default: 100,
      description: 'With mediaWorkers: how far ahead of real time bot audio goes to the worker, the main-loop pause it absorbs',
    }),
  },
  { additionalProperties: false },
);

export default definePlugin({
  id: 'transport-webrtc',
  version: '1.0.0',
  apiVersion: '^1.0.0',
  description: 'WebRTC calls on werift: Opus both ways, DTLS-SRTP, ICE; signalling over the voice WebSocket',
  configSchema: Options,
  provides: [webrtcRefs.peers],
  requires: { codecs: stageRefs.codecs, clock: coreRefs.clock },
  optional: { jitterBuffers: stageRefs.jitterBuffers, pacers: stageRefs.pacers },
  setup(ctx, options) {
    const network = {
      iceServers: options.iceServers,
      ...(options.portRange ? { portRange: options.portRange as [number, number] } : {}),
      bindAddress: options.bindAddress,
      ...(options.announcedIp ? { announcedIp: options.announcedIp } : {}),
    };
    checkNetworkOptions(network);
    const opus = ctx.deps.codecs.get('opus');
    if (!opus) {
      throw new VapiError('transport-webrtc needs the Opus codec', { code: 'VAPI_ERR_WEBRTC_OPTIONS', category: 'invalid_request', fix: 'enable the codec-opus plugin' });
    }
    const jitterBuffer = ctx.optionalDeps.jitterBuffers?.get('default');
    const peerOptions = {
      inputSampleRate: options.inputSampleRate,
      outputSampleRate: options.outputSampleRate,
      connectTimeoutMs: options.connectTimeoutMs,
      mediaTimeoutMs: options.mediaTimeoutMs,
    };
    if (options.mediaWorkers === 0) {
      const factory: RtcPeerFactory = {
        inputSampleRate: options.inputSampleRate,
        outputSampleRate: options.outputSampleRate,
        create(): RtcPeer {
          return new WebRtcPeer({ ...network, ...peerOptions, opus, log: ctx.log, ...(jitterBuffer ? { jitterBuffers: jitterBuffer } : {}) });
        },
      };
      ctx.provide(webrtcRefs.peers, factory);
      return undefined;
    }
    const pacer = ctx.optionalDeps.pacers?.get('default');
    const missing = [!opus.workerRecipe && 'the opus codec', !pacer?.workerRecipe && "the 'default' pacer (stage-pacer)", jitterBuffer && !jitterBuffer.workerRecipe && 'the jitter buffer'].filter(Boolean);
    if (missing.length > 0) {
      throw new VapiError(`mediaWorkers needs factories a worker thread can rebuild; ${missing.join(' and ')} cannot be`, {
        code: 'VAPI_ERR_WEBRTC_OPTIONS',
        category: 'invalid_request',
        details: { path: 'mediaWorkers' },
        fix: 'enable codec-opus and stage-pacer (their factories carry a workerRecipe), or set mediaWorkers: 0 to run peers on the main thread',
      });
    }
    const workers = new MediaWorkers({
      size: options.mediaWorkers,
      playoutBufferMs: options.playoutLeadMs,
      clock: ctx.deps.clock,
      log: ctx.log,
      setup: { network, ...peerOptions, opus: opus.workerRecipe!, pacer: pacer!.workerRecipe!, ...(jitterBuffer ? { jitterBuffer: jitterBuffer.workerRecipe! } : {}) },
    });
    ctx.provide(webrtcRefs.peers, { inputSampleRate: options.inputSampleRate, outputSampleRate: options.outputSampleRate, create: () => workers.create() });
    ctx.log.debug({ bindAddress: options.bindAddress, portRange: options.portRange, iceServers: options.iceServers.length, mediaWorkers: options.mediaWorkers }, 'webrtc peers ready');
    return workers;
  },
  start: (_ctx, workers) => workers?.start(),
  stop: (_ctx, workers) => workers?.stop(),
});
