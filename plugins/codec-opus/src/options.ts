/** The plugin's options: encoder settings shared by every Opus codec it creates. */
import { Type, type Static } from '@vapi-cn/sdk-plugin-api';

export const OpusOptions = Type.Object(
  {
    application: Type.Union([Type.Literal('voip'), Type.Literal('audio'), Type.Literal('lowdelay')], {
      default: 'voip',
      description: 'voip: tuned for speech; audio: music and mixed content; lowdelay: CELT only, least delay',
    }),
    // Encoder CPU time per 20 ms frame of speech (12 s, voip, 24 kb/s, AMD EPYC, native build):
    // complexity 10 takes ~280 µs at 48 kHz (~268 µs at 16 kHz), over the WebRTC chain's ~255 µs
    // budget; complexity 5 takes ~188 µs (~176 µs) with waveform SNR within 0.5 dB of 10 (8-10 give
    // identical SILK packets). 5 keeps speech quality at two thirds of the cost.
    complexity: Type.Integer({ minimum: 0, maximum: 10, default: 5, description: 'encoder effort, 0 (cheapest) .. 10' }),
    bitrate: Type.Integer({ minimum: 6000, maximum: 510000, default: 24000, description: 'target bits per second' }),
    fec: Type.Boolean({ default: true, description: 'in-band forward error correction (SILK LBRR)' }),
    // libopus spends no bits on FEC while it expects no loss: without this, `fec` would do nothing.
    packetLossPercent: Type.Integer({ minimum: 0, maximum: 100, default: 10, description: 'expected packet loss, which sizes the in-band FEC' }),
    dtx: Type.Boolean({ default: false, description: 'discontinuous transmission: 1-byte packets during silence' }),
  },
  { additionalProperties: false },
);

export type OpusOptions = Static<typeof OpusOptions>;
