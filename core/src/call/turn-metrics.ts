/**
 * Latency of each turn, measured on the monotonic clock: STT final (caller stops → final
 * transcript), LLM first token, TTS first audio, voice-to-voice (caller stops → first bot audio on
 * the wire) and barge-in stop (caller's speech detected → bot audio stops). Observed into
 * Prometheus histograms and kept per turn for the end-of-call report.
 */
import type { Histogram, Metrics, TurnLatencyNotice } from '@vapi-cn/sdk-plugin-api';

/** The SDK's shape: the same record goes to the leg (`latency` notices) and the end-of-call report. */
export type TurnLatency = TurnLatencyNotice;

const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5];

export class TurnMetrics {
  private readonly histograms: Record<'sttFinalMs' | 'llmFirstTokenMs' | 'ttsFirstAudioMs' | 'voiceToVoiceMs' | 'bargeInStopMs', Histogram>;
  readonly turns: TurnLatency[] = [];

  constructor(metrics: Metrics) {
    const h = (name: string, help: string) => metrics.histogram({ name, help, buckets: LATENCY_BUCKETS });
    this.histograms = {
      sttFinalMs: h('vapi_turn_stt_final_seconds', 'Caller stops speaking → final transcript'),
      llmFirstTokenMs: h('vapi_turn_llm_first_token_seconds', 'LLM request → first text'),
      ttsFirstAudioMs: h('vapi_turn_tts_first_audio_seconds', 'TTS request → first audio'),
      voiceToVoiceMs: h('vapi_turn_voice_to_voice_seconds', 'Caller stops speaking → first bot audio on the wire'),
      bargeInStopMs: h('vapi_turn_barge_in_stop_seconds', 'Caller speech detected → bot audio stopped on the wire'),
    };
  }

  /** Starts the record of a new turn and returns it for filling in. */
  begin(): TurnLatency {
    const turn: TurnLatency = { turn: this.turns.length + 1 };
    this.turns.push(turn);
    return turn;
  }

  observe(turn: TurnLatency, field: keyof TurnMetrics['histograms'], ms: number): void {
    if (turn[field] !== undefined) return;
    turn[field] = Math.round(ms * 10) / 10;
    this.histograms[field].observe(ms / 1000);
  }
}
