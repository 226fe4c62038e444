/** The plugin's options: encoder settings shared by every Opus codec it creates. */
import { Type, type Static } from '@vapi-cn/sdk-plugin-api';

export const OpusOptions = Type.Object(
  {
    // audio (not voip) by default: bot audio is clean synthetic speech, and in this mode libopus
    // codes it with CELT while the far end loses nothing — a quarter of voip's SILK encoding time
    // (60 against 213 µs per 20 ms frame at 24 kHz, complexity 5, AMD EPYC) — and switches to SILK
    // with in-band FEC once the far end reports more than 5% loss (`fec`, RTCP receiver reports).
    // docs/adr/0004-opus-bot-audio-celt-until-loss.md has the measurements.
    application: Type.Union([Type.Literal('voip'), Type.Literal('audio'), Type.Literal('lowdelay')], {
      default: 'audio',
      description: 'audio: CELT until the far end reports loss, then SILK with FEC; voip: SILK always, tuned for a microphone; lowdelay: CELT only (no FEC), 4 ms less delay',
    }),
    // Encoder CPU time per 20 ms frame of speech (voip, 24 kb/s, AMD EPYC, native build): complexity
    // 10 takes ~380 µs, 5 ~213 µs with waveform SNR within 0.5 dB of 10 (8-10 give identical SILK
    // packets), 1 ~113 µs. In CELT (audio without loss, lowdelay) 5 takes ~60 µs, 10 ~87 µs.
    complexity: Type.Integer({ minimum: 0, maximum: 10, default: 5, description: 'encoder effort, 0 (cheapest) .. 10' }),
    // CELT needs more bits than SILK for the same speech: 32 kb/s gives it 2 dB more waveform SNR
    // than 24 (14.6 against 12.4 dB), still a fraction of a WebRTC call's bandwidth.
    bitrate: Type.Integer({ minimum: 6000, maximum: 510000, default: 32000, description: 'target bits per second' }),
    fec: Type.Boolean({ default: true, description: 'in-band forward error correction (SILK LBRR), sized to the loss the far end reports' }),
    // Until a receiver report says otherwise. libopus spends no bits on FEC while it expects no loss,
    // and in `audio` mode more than 5% expected loss switches it from CELT to SILK with FEC.
    packetLossPercent: Type.Integer({ minimum: 0, maximum: 100, default: 0, description: 'packet loss expected before the far end reports any' }),
    dtx: Type.Boolean({ default: false, description: 'discontinuous transmission: 1-byte packets during silence (SILK: voip, or audio under loss; CELT sends 3-byte packets of silence anyway)' }),
  },
  { additionalProperties: false },
);

export type OpusOptions = Static<typeof OpusOptions>;
