/**
 * stage-vad-webrtc: voice activity detection with the WebRTC VAD (libfvad, wasm). Cheap (a few
 * µs per frame) and dependable on clean or moderately noisy lines; registered as the 'webrtc'
 * entry of `stageRefs.vads`.
 */
import { definePlugin, SPEECH_GATE_DEFAULTS, stageRefs, Type, type VadFactory } from '@vapi-cn/sdk-plugin-api';
import { loadFvad } from './fvad.js';
import { WEBRTC_SAMPLE_RATES, WebRtcVad } from './webrtc-vad.js';

/** Defaults for the VadOptions a caller leaves out. */
const Options = Type.Object(
  {
    // 3 by measurement: on 8 kHz phone audio with 5 dB SNR noise, modes 0-2 call every frame
    // speech, while with the default smoothing 3 loses at most 0.3 points of recall from clean
    // speech down to 10 dB SNR.
    aggressiveness: Type.Integer({
      minimum: 0,
      maximum: 3,
      default: 3,
      description: 'libfvad mode: 0 passes most sound as speech, 3 is strictest',
    }),
    minSpeechMs: Type.Integer({ minimum: 0, maximum: 2000, default: SPEECH_GATE_DEFAULTS.minSpeechMs }),
    minSilenceMs: Type.Integer({ minimum: 0, maximum: 5000, default: SPEECH_GATE_DEFAULTS.minSilenceMs }),
    energyGateDbfs: Type.Number({ maximum: 0, default: SPEECH_GATE_DEFAULTS.energyGateDbfs }),
  },
  { additionalProperties: false },
);

export default definePlugin({
  id: 'stage-vad-webrtc',
  version: '1.0.0',
  apiVersion: '^1.0.0',
  description: 'Voice activity detection with the WebRTC VAD (fvad, wasm)',
  configSchema: Options,
  provides: [stageRefs.vads],
  async setup(ctx, options) {
    // Instantiating wasm is async, so it happens once here; create() is then synchronous.
    const fvad = await loadFvad();
    const factory: VadFactory = {
      name: 'webrtc',
      sampleRates: WEBRTC_SAMPLE_RATES,
      create: (vad) =>
        new WebRtcVad(fvad, {
          sampleRate: vad.sampleRate,
          aggressiveness: vad.aggressiveness ?? (options.aggressiveness as 0 | 1 | 2 | 3),
          minSpeechMs: vad.minSpeechMs ?? options.minSpeechMs,
          minSilenceMs: vad.minSilenceMs ?? options.minSilenceMs,
          energyGateDbfs: vad.energyGateDbfs ?? options.energyGateDbfs,
        }),
    };
    ctx.provide(stageRefs.vads, 'webrtc', factory);
  },
});
