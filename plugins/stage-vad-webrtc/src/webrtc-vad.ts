/**
 * One WebRTC VAD per call: libfvad classifies each 20 ms frame (a Gaussian-mixture model on six
 * sub-band energies, adapting to the noise floor), SpeechGate smooths that into events.
 */
import { dbfs, samplesPerFrame, SpeechGate, VapiError, type AudioFrame, type VadEvent, type VadOptions, type VoiceActivityDetector, checkVadAggressiveness, checkVadFrame, checkVadSampleRate } from '@vapi-cn/sdk-plugin-api';
import type { FvadModule } from './fvad.js';

/** The rates libfvad takes (it processes 32 and 48 kHz by downsampling to 16 and 8 kHz). */
export const WEBRTC_SAMPLE_RATES = [8000, 16000, 32000, 48000] as const;

export type WebRtcVadSettings = Required<VadOptions>;

export class WebRtcVad implements VoiceActivityDetector {
  readonly name = 'webrtc';
  readonly sampleRate: number;
  private readonly frameSize: number;
  private readonly mode: number;
  private readonly gate: SpeechGate;
  /** The `Fvad*`; 0 once closed. */
  private vad: number;
  /** Heap offset of this detector's frame buffer, reused for every frame; 0 once closed. */
  private buffer: number;

  constructor(private readonly fvad: FvadModule, settings: WebRtcVadSettings) {
    checkVadSampleRate('WebRTC', settings.sampleRate, WEBRTC_SAMPLE_RATES);
    checkVadAggressiveness(settings.aggressiveness);
    this.sampleRate = settings.sampleRate;
    this.mode = settings.aggressiveness;
    this.frameSize = samplesPerFrame(settings.sampleRate);
    this.gate = new SpeechGate(settings);
    this.vad = fvad._fvad_new();
    this.buffer = fvad._malloc(this.frameSize * Int16Array.BYTES_PER_ELEMENT);
    if (this.vad === 0 || this.buffer === 0) {
      this.close();
      throw new VapiError('the WebRTC VAD is out of wasm memory', { code: 'VAPI_ERR_VAD_MEMORY', category: 'server', retryable: false });
    }
    this.configure();
  }

  get speaking(): boolean {
    return this.gate.speaking;
  }

  process(frame: AudioFrame): VadEvent | null {
    if (this.vad === 0) throw closedError();
    checkVadFrame('WebRTC', frame, this.sampleRate, this.frameSize);
    return this.gate.push(this.gate.admits(dbfs(frame.samples)) && this.classify(frame.samples));
  }

  reset(): void {
    if (this.vad !== 0) {
      this.fvad._fvad_reset(this.vad);
      this.configure();
    }
    this.gate.reset();
  }

  close(): void {
    if (this.vad !== 0) this.fvad._fvad_free(this.vad);
    if (this.buffer !== 0) this.fvad._free(this.buffer);
    this.vad = 0;
    this.buffer = 0;
  }

  private classify(samples: Int16Array): boolean {
    this.fvad.HEAP16.set(samples, this.buffer >> 1);
    return this.fvad._fvad_process(this.vad, this.buffer, samples.length) === 1;
  }

  /** Mode and rate; fvad_reset() clears them too. Both were checked, so libfvad accepts them. */
  private configure(): void {
    this.fvad._fvad_set_mode(this.vad, this.mode);
    this.fvad._fvad_set_sample_rate(this.vad, this.sampleRate);
  }
}

function closedError(): VapiError {
  return new VapiError('process() on a closed WebRTC VAD', { code: 'VAPI_ERR_VAD_CLOSED', category: 'invalid_request' });
}
