/**
 * transport-freeswitch: phone calls through FreeSWITCH 1.10. Control over the Event Socket
 * (inbound connections to each node, or FreeSWITCH's outbound `socket` app), caller audio over
 * mod_audio_stream's WebSocket, bot audio as files played with uuid_broadcast. Carriers come from
 * carrier plugins; called numbers are routed to assistants by the server's number routes.
 * See docs/telephony.md and freeswitch/README.md.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { carrierRefs, coreRefs, definePlugin, transportRefs, Type, VapiError } from '@vapi-cn/sdk-plugin-api';
import { FreeswitchTransport } from './freeswitch-transport.js';

export { FreeswitchTransport, SUBSCRIBED_EVENTS, type FreeswitchTransportSettings } from './freeswitch-transport.js';
export { FreeswitchLeg } from './freeswitch-leg.js';
export { PlaybackWriter } from './playback-writer.js';
export { hangupCauseFor, dialOutcomeOf } from './hangup-causes.js';
export { AUDIO_CLOSE } from './audio-stream-socket.js';

const Node = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$', default: 'fs1', description: 'Name in logs and call metadata' }),
    host: Type.String({ minLength: 1, default: '127.0.0.1' }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 8021 }),
    password: Type.String({ minLength: 1, description: 'event_socket.conf.xml password; the freeswitch/ overlay reads it from VAPI_ESL_PASSWORD' }),
  },
  { additionalProperties: false },
);

const Options = Type.Object(
  {
    nodes: Type.Array(Node, { minItems: 1, description: 'FreeSWITCH nodes to control over inbound Event Socket connections' }),
    mode: Type.Union([Type.Literal('inbound'), Type.Literal('outbound')], {
      default: 'inbound',
      description: 'How inbound calls reach us: parked and seen over the inbound Event Socket, or by the dialplan\'s `socket … async full`',
    }),
    outboundListen: Type.Object(
      { host: Type.String({ default: '127.0.0.1' }), port: Type.Integer({ minimum: 0, maximum: 65535, default: 8084 }) },
      { additionalProperties: false, default: {}, description: 'Listener for the dialplan\'s socket app (mode outbound)' },
    ),
    audio: Type.Object(
      {
        url: Type.Optional(Type.String({ pattern: '^wss?://[A-Za-z0-9.-]+(:[0-9]+)?$', description: 'Base URL FreeSWITCH reaches this server\'s WebSocket at (default ws://127.0.0.1:<server port>)' })),
        path: Type.String({ default: '/freeswitch/audio', pattern: '^/[A-Za-z0-9/_-]*[A-Za-z0-9_-]$' }),
        sampleRate: Type.Union([Type.Literal(8000), Type.Literal(16000)], { default: 16000, description: 'Rate mod_audio_stream sends caller audio at' }),
        connectTimeoutMs: Type.Integer({ minimum: 100, default: 5000, description: 'A call whose audio stream does not connect in time is hung up (media-timeout)' }),
      },
      { additionalProperties: false, default: {} },
    ),
    playback: Type.Object(
      {
        dir: Type.Optional(Type.String({ minLength: 1, description: 'Where bot audio files are written; FreeSWITCH must read them at the same path (default: /dev/shm when there is one, else the OS temp dir)' })),
        sampleRate: Type.Union([Type.Literal(8000), Type.Literal(16000)], { default: 8000, description: 'Rate of bot audio files (.r8 / .r16)' }),
        leadMs: Type.Integer({ minimum: 100, maximum: 5000, default: 1000, description: 'How far ahead of real time bot audio is handed to FreeSWITCH' }),
        maxChunkMs: Type.Integer({ minimum: 20, maximum: 5000, default: 1000, description: 'Largest file; the first of a reply goes out as soon as audio arrives' }),
        lowWaterMs: Type.Integer({ minimum: 0, maximum: 1000, default: 300, description: 'When FreeSWITCH has less than this left to play, pending audio goes at once' }),
      },
      { additionalProperties: false, default: {} },
    ),
    answer: Type.Boolean({ default: true, description: 'Answer inbound calls (off if the dialplan answers)' }),
    transferContext: Type.String({ default: 'vapi_transfer', description: 'Dialplan context a transferred number runs in' }),
    defaultCarrier: Type.Optional(Type.String({ description: 'Carrier plugin for outbound calls that name none' })),
    connectTimeoutMs: Type.Integer({ minimum: 100, default: 5000 }),
    commandTimeoutMs: Type.Integer({ minimum: 100, default: 5000 }),
    reconnect: Type.Object(
      { initialDelayMs: Type.Integer({ minimum: 10, default: 200 }), maxDelayMs: Type.Integer({ minimum: 100, default: 5000 }) },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

export default definePlugin({
  id: 'transport-freeswitch',
  version: '1.0.0',
  apiVersion: '^1.0.0',
  description: 'Phone calls through FreeSWITCH: Event Socket control and mod_audio_stream audio',
  configSchema: Options,
  provides: [transportRefs.transports],
  requires: { http: coreRefs.http, clock: coreRefs.clock, calls: coreRefs.calls, config: coreRefs.config },
  optional: { carriers: carrierRefs.carriers, numbers: coreRefs.numberRouter },
  setup(ctx, options) {
    const { http, clock, calls, config } = ctx.deps;
    const names = new Set<string>();
    options.nodes.forEach((node, index) => {
      if (names.has(node.name)) {
        throw new VapiError(`two FreeSWITCH nodes are named '${node.name}'`, { code: 'VAPI_ERR_CONFIG_INVALID', category: 'invalid_request', details: { path: `nodes.${index}.name` }, fix: 'give every node its own name' });
      }
      names.add(node.name);
    });
    const carriers = new Map(ctx.optionalDeps.carriers ? [...ctx.optionalDeps.carriers.entries()] : []);
    if (options.defaultCarrier && !carriers.has(options.defaultCarrier)) {
      throw new VapiError(`defaultCarrier '${options.defaultCarrier}' is not an enabled carrier`, {
        code: 'VAPI_ERR_CONFIG_INVALID',
        category: 'invalid_request',
        details: { path: 'defaultCarrier' },
        fix: `enable that carrier plugin, or use one of: ${[...carriers.keys()].join(', ') || '(no carrier plugin is enabled)'}`,
      });
    }
    const transport = new FreeswitchTransport(
      {
        nodes: options.nodes,
        mode: options.mode,
        outboundListen: options.outboundListen,
        // Read when a call starts: with port 0 the real port is known only once the server listens.
        audioUrl: () => options.audio.url ?? `ws://127.0.0.1:${http.port() || config.server.port}`,
        audioPath: options.audio.path,
        streamSampleRate: options.audio.sampleRate,
        audioConnectTimeoutMs: options.audio.connectTimeoutMs,
        playback: {
          dir: options.playback.dir ?? defaultPlaybackDir(),
          sampleRate: options.playback.sampleRate,
          leadMs: options.playback.leadMs,
          maxChunkMs: options.playback.maxChunkMs,
          lowWaterMs: options.playback.lowWaterMs,
        },
        answer: options.answer,
        transferContext: options.transferContext,
        ...(options.defaultCarrier ? { defaultCarrier: options.defaultCarrier } : {}),
        connectTimeoutMs: options.connectTimeoutMs,
        commandTimeoutMs: options.commandTimeoutMs,
        reconnect: options.reconnect,
      },
      { clock, log: ctx.log, calls, numbers: ctx.optionalDeps.numbers, carriers },
    );
    ctx.provide(transportRefs.transports, 'freeswitch', transport);
    // mod_audio_stream cannot send an API key; each call's socket proves itself with a per-call token.
    http.websocket(`${options.audio.path}/:uuid`, (socket, request) => transport.acceptAudio(socket, request.params.uuid ?? ''), { auth: 'none', maxPayload: 64 * 1024 });
    return transport;
  },
  start: (_ctx, transport) => transport.start(),
  stop: (_ctx, transport) => transport.stop(),
});


/**
 * Memory-backed when the host has it: a call writes a few files a second, and creating a file
 * costs ~0.5 ms of kernel time on a disk file system against ~15 µs on tmpfs.
 */
function defaultPlaybackDir(): string {
  return join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'vapi-cn-playback');
}
