/**
 * The rate a call is heard at (VAD and STT). The leg's own rate when the VAD and the assistant's
 * STT both take it: telephone audio stays at 8 kHz, which spares a resampler per call both ways
 * and gives telephony STT models the audio they were trained on. Otherwise 16 kHz, which every
 * VAD and nearly every STT takes.
 */
import type { SttProvider, VadFactory } from '@vapi-cn/sdk-plugin-api';

export const DEFAULT_LISTEN_RATE = 16000;

export function chooseListenRate(legRate: number, vad: VadFactory, stt: SttProvider | undefined): number {
  if (vad.sampleRates.includes(legRate) && (!stt || stt.capabilities.sampleRates.includes(legRate))) return legRate;
  return DEFAULT_LISTEN_RATE;
}

/**
 * The rate to open an STT stream at: the listening rate if the provider takes it (no resampling),
 * else 16 kHz, else the provider's first. A provider switched mid-call may need the second case.
 */
export function sttStreamRate(listenRate: number, stt: SttProvider): number {
  const rates = stt.capabilities.sampleRates;
  if (rates.length === 0 || rates.includes(listenRate)) return listenRate;
  return rates.includes(DEFAULT_LISTEN_RATE) ? DEFAULT_LISTEN_RATE : rates[0]!;
}
