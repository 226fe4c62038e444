/**
 * @vapi-cn/sdk-plugin-api/testkit: helpers for testing plugins without a server: a plugin
 * harness, clocks, conformance suites for STT/LLM/TTS providers, and scripted fake providers.
 */
export { VirtualClock } from './virtual-clock.js';
export { RealClock } from './real-clock.js';
export { setupPlugin, captureLogger, type PluginHarness, type HarnessOptions, type CapturedLog } from './plugin-harness.js';

export { runWithTap, runWithNodeTest, type ConformanceCase, type ConformanceOptions, type TapLike, type NodeTestLike } from './conformance-case.js';
export { INDUCED_FAILURES, EXPECTED_ERRORS, type InducedFailure } from './induced-failure.js';
export type { LeakCheckOptions } from './resource-leaks.js';
export { sttConformance, type SttConformanceOptions } from './stt-conformance.js';
export { llmConformance, type LlmConformanceOptions } from './llm-conformance.js';
export { ttsConformance, type TtsConformanceOptions } from './tts-conformance.js';

export type { FakeStats } from './session-stats.js';
export { FakeSttProvider, type FakeSttOptions } from './fake-stt.js';
export { FakeLlmProvider, type FakeLlmOptions, type FakeLlmReply, type FakeLlmRule, type FakeToolCall } from './fake-llm.js';
export { FakeTtsProvider, type FakeTtsOptions } from './fake-tts.js';
