import t from 'tap';
import type { LlmEvent } from '@vapi-cn/sdk-plugin-api';
import { ChunkDecoder, type WireChunk } from '../src/chunk-decoder.js';

const CONTEXT = { provider: 'test' };
const delta = (d: Record<string, unknown>, finish_reason: string | null = null): WireChunk => ({ choices: [{ index: 0, delta: d, finish_reason }] });

function decode(chunks: WireChunk[], end = true): LlmEvent[] {
  const decoder = new ChunkDecoder(CONTEXT);
  const out: LlmEvent[] = [];
  for (const chunk of chunks) decoder.decode(chunk, out);
  if (end) decoder.end(out);
  return out;
}

t.test('text as it comes; empty and null content yield nothing; usage then done at the end', async (t) => {
  t.same(
    decode([delta({ role: 'assistant', content: '' }), delta({ content: 'Hi' }), delta({ content: null }), delta({}, 'stop'), { choices: [], usage: { prompt_tokens: 3, completion_tokens: 1 } }]),
    [
      { type: 'text-delta', text: 'Hi' },
      { type: 'usage', promptTokens: 3, completionTokens: 1 },
      { type: 'done', finishReason: 'stop' },
    ],
  );
});

t.test('reasoning_content and reasoning are reasoning-delta, never text', async (t) => {
  t.same(decode([delta({ reasoning_content: '想', content: null }), delta({ reasoning: 'think' }), delta({ content: '好', reasoning_content: null })]), [
    { type: 'reasoning-delta', text: '想' },
    { type: 'reasoning-delta', text: 'think' },
    { type: 'text-delta', text: '好' },
    { type: 'done', finishReason: 'stop' },
  ]);
});

t.test('tool calls come out once, complete, at finish_reason, before usage and done', async (t) => {
  const decoder = new ChunkDecoder(CONTEXT);
  const out: LlmEvent[] = [];
  decoder.decode(delta({ tool_calls: [{ index: 0, id: 'c1', function: { name: 'f', arguments: '{"a"' } }] }), out);
  t.same(out, [], 'nothing while the arguments stream');
  t.ok(decoder.started, 'a tool-call fragment starts the answer');
  decoder.decode(delta({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }), out);
  decoder.decode(delta({}, 'tool_calls'), out);
  t.same(out, [{ type: 'tool-call', call: { id: 'c1', name: 'f', arguments: '{"a":1}' } }]);
  t.ok(decoder.finished);
  decoder.decode({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 7 } }, out);
  decoder.end(out);
  t.same(out.slice(1), [
    { type: 'usage', promptTokens: 5, completionTokens: 7 },
    { type: 'done', finishReason: 'tool_calls' },
  ]);
});

t.test('[DONE] without finish_reason still emits pending tool calls', async (t) => {
  t.same(decode([delta({ tool_calls: [{ index: 0, id: 'c1', function: { name: 'f', arguments: '{}' } }] })]), [
    { type: 'tool-call', call: { id: 'c1', name: 'f', arguments: '{}' } },
    { type: 'done', finishReason: 'tool_calls' },
  ]);
});

t.test('finish reasons: known kept, unknown to stop, stop with tool calls to tool_calls, GLM sensitive to content_filter', async (t) => {
  const reasonOf = (chunks: WireChunk[]) => (decode(chunks).at(-1) as { finishReason: string }).finishReason;
  t.equal(reasonOf([delta({}, 'length')]), 'length');
  t.equal(reasonOf([delta({}, 'content_filter')]), 'content_filter');
  t.equal(reasonOf([delta({}, 'sensitive')]), 'content_filter');
  t.equal(reasonOf([delta({}, 'eos_token')]), 'stop');
  t.equal(reasonOf([delta({ tool_calls: [{ index: 0, id: 'c', function: { name: 'f', arguments: '{}' } }] }, 'stop')]), 'tool_calls');
  t.equal(reasonOf([delta({}, 'length'), delta({}, 'stop')]), 'length', 'the first finish_reason wins');
});

t.test('insufficient_system_resource and network_error are server errors', async (t) => {
  for (const reason of ['insufficient_system_resource', 'network_error']) {
    t.throws(() => decode([delta({ content: 'a' }), delta({}, reason)], false), { code: 'VAPI_ERR_LLM_GENERATION_INTERRUPTED', category: 'server', retryable: true });
  }
});

t.test('usage inside the choice (reported for Kimi); the last usage seen is the one reported', async (t) => {
  t.same(
    decode([
      { choices: [{ index: 0, delta: { content: 'a' }, finish_reason: null, usage: { prompt_tokens: 1, completion_tokens: 1 } }] },
      { choices: [{ index: 0, delta: {}, finish_reason: 'stop', usage: { prompt_tokens: 1, completion_tokens: 2 } }] },
    ]).slice(1),
    [
      { type: 'usage', promptTokens: 1, completionTokens: 2 },
      { type: 'done', finishReason: 'stop' },
    ],
  );
});

t.test('choices other than index 0 are ignored', async (t) => {
  t.same(decode([{ choices: [{ index: 1, delta: { content: 'other' }, finish_reason: null }] }]), [{ type: 'done', finishReason: 'stop' }]);
});
