import t from 'tap';
import { audioFrame, sineWave, zeroCrossingFrequency, type AudioFrame, type LlmEvent, type TranscriptFrame } from '../src/index.js';
import { FakeLlmProvider, FakeSttProvider, FakeTtsProvider, RealClock, VirtualClock } from '../src/testkit/index.js';

const user = (content: string) => ({ messages: [{ role: 'user' as const, content }] });

/** Collects an iterable in the background, stamping each item with the clock's time. */
function collect<T>(iterable: AsyncIterable<T>, clock: VirtualClock) {
  const items: Array<{ at: number; item: T }> = [];
  const done = (async () => {
    for await (const item of iterable) items.push({ at: clock.monotonic(), item });
  })();
  return { items, done };
}

/** 20 ms frames of a tone (speech, to the fake STT) or of silence. */
function frames(ms: number, sampleRate = 16000, tone = true): AudioFrame[] {
  return Array.from({ length: ms / 20 }, (_, i) => audioFrame(tone ? sineWave(440, sampleRate, 20, 0.3) : new Int16Array(sampleRate / 50), sampleRate, i * 20));
}

t.test('FakeLlmProvider streams a scripted reply word by word at firstTokenMs, then tokenIntervalMs', async (t) => {
  const clock = new VirtualClock();
  const llm = new FakeLlmProvider({ clock, firstTokenMs: 300, tokenIntervalMs: 50, script: ['Hi there you'] });
  const { items, done } = collect(llm.chat(user('hello')), clock);
  await clock.advance(1000);
  await done;
  t.same(
    items.map(({ at, item }) => [at, item]),
    [
      [300, { type: 'text-delta', text: 'Hi' }],
      [350, { type: 'text-delta', text: ' there' }],
      [400, { type: 'text-delta', text: ' you' }],
      [400, { type: 'usage', promptTokens: 2, completionTokens: 3 }],
      [400, { type: 'done', finishReason: 'stop' }],
    ],
  );
  t.match(llm.stats, { calls: 1, open: 0, completed: 1, aborts: 0, failures: 0 });
  t.same(llm.requests, [user('hello')]);
});

t.test('FakeLlmProvider chunks CJK per character, or by chunkChars', async (t) => {
  const texts = async (llm: FakeLlmProvider) => {
    const out: string[] = [];
    for await (const e of llm.chat(user('x'))) if (e.type === 'text-delta') out.push(e.text);
    return out;
  };
  t.same(await texts(new FakeLlmProvider({ script: ['你好，世界'] })), ['你', '好', '，', '世', '界']);
  t.same(await texts(new FakeLlmProvider({ script: ['abcdefg'], chunkChars: 3 })), ['abc', 'def', 'g']);
});

t.test('FakeLlmProvider replies by rule on the last user message, else by turn; the last turn repeats', async (t) => {
  const llm = new FakeLlmProvider({ rules: [{ when: /weather/i, reply: 'Sunny.' }, { when: 'bye', reply: 'Goodbye!' }], script: ['First.', 'Second.'] });
  const reply = async (content: string) => {
    let text = '';
    for await (const e of llm.chat({ messages: [{ role: 'user', content }, { role: 'assistant', content: 'weather' }] })) if (e.type === 'text-delta') text += e.text;
    return text;
  };
  t.same([await reply('hi'), await reply('Weather today?'), await reply('and?'), await reply('more?'), await reply('ok bye')], ['First.', 'Sunny.', 'Second.', 'Second.', 'Goodbye!']);
  const byFunction = new FakeLlmProvider({ script: (request, turn) => `${turn}:${request.messages.length}` });
  const events: LlmEvent[] = [];
  for await (const e of byFunction.chat(user('a'))) events.push(e);
  t.match(events[0], { type: 'text-delta', text: '0:1' });
});

t.test('FakeLlmProvider emits tool calls complete, after the text, with finishReason tool_calls', async (t) => {
  const llm = new FakeLlmProvider({
    script: [{ text: 'Checking.', toolCalls: [{ name: 'get_weather', arguments: { city: '北京' } }, { name: 'hang_up', arguments: '{}', id: 'mine' }] }],
  });
  const events: LlmEvent[] = [];
  for await (const e of llm.chat(user('weather?'))) events.push(e);
  t.same(
    events.filter((e) => e.type !== 'text-delta'),
    [
      { type: 'tool-call', call: { id: 'call_1_0', name: 'get_weather', arguments: '{"city":"北京"}' } },
      { type: 'tool-call', call: { id: 'mine', name: 'hang_up', arguments: '{}' } },
      { type: 'usage', promptTokens: 2, completionTokens: 3 },
      { type: 'done', finishReason: 'tool_calls' },
    ],
  );
});

t.test('FakeLlmProvider ends quietly on abort and counts it; a consumer breaking out counts too', async (t) => {
  const clock = new VirtualClock();
  const llm = new FakeLlmProvider({ clock, tokenIntervalMs: 100, script: ['one two three four'] });
  const controller = new AbortController();
  const { items, done } = collect(llm.chat({ ...user('count'), signal: controller.signal }), clock);
  await clock.advance(150);
  t.equal(llm.stats.open, 1);
  controller.abort();
  await done;
  t.same(items.map(({ item }) => item), [{ type: 'text-delta', text: 'one' }, { type: 'text-delta', text: ' two' }]);
  t.equal(clock.pendingTimers, 0, 'the abort cleared the token timer');
  for await (const _event of llm.chat(user('again'))) break;
  t.match(llm.stats, { calls: 2, open: 0, completed: 0, aborts: 2 });
});

t.test('FakeLlmProvider fails as induced until restore()', async (t) => {
  const clock = new VirtualClock();
  const llm = new FakeLlmProvider({ clock, idleTimeoutMs: 500 });
  const drain = async () => {
    for await (const _event of llm.chat(user('x')));
  };
  llm.induce('rate_limit');
  await t.rejects(drain(), { code: 'VAPI_ERR_TESTKIT_INDUCED', category: 'rate_limit', retryable: true });
  llm.induce('timeout');
  const stalled = drain();
  stalled.catch(() => undefined);
  await clock.advance(499);
  t.equal(llm.stats.open, 1, 'still stalled just before the idle timeout');
  await clock.advance(1);
  await t.rejects(stalled, { code: 'VAPI_ERR_TESTKIT_INDUCED', category: 'timeout' });
  llm.induce('disconnect');
  const events: LlmEvent[] = [];
  await t.rejects(
    (async () => {
      for await (const e of llm.chat(user('x'))) events.push(e);
    })(),
    { code: 'VAPI_ERR_TESTKIT_INDUCED', category: 'connectivity' },
  );
  t.equal(events.length, 1, 'one event, then the connection dropped');
  llm.restore();
  await drain();
  t.match(llm.stats, { calls: 4, failures: 3, completed: 1, open: 0 });
});

t.test('FakeTtsProvider speaks a tone at the supported rate, after firstAudioMs, paced by the real-time factor', async (t) => {
  const clock = new VirtualClock();
  const tts = new FakeTtsProvider({ clock, sampleRates: [16000, 8000], firstAudioMs: 200, realTimeFactor: 0.5, msPerChar: 80, toneHz: 500 });
  const { items, done } = collect(tts.synthesize('a b', { sampleRate: 16000 }), clock);
  await clock.advance(1000);
  await done;
  // 2 characters x 80 ms = 160 ms = 8 frames of 20 ms, 10 ms apart after the first.
  t.same(items.map(({ at }) => at), [200, 210, 220, 230, 240, 250, 260, 270]);
  t.ok(items.every(({ item }) => item.sampleRate === 16000 && item.samples.length === 320));
  const audio = new Int16Array(items.flatMap(({ item }) => [...item.samples]));
  const whole = sineWave(500, 16000, 160, 0.3);
  t.ok(audio.every((s, i) => Math.abs(s - whole[i]!) <= 1), 'one continuous 500 Hz tone across frames');
  const other = new FakeTtsProvider({ sampleRates: [16000, 8000] });
  for await (const frame of other.synthesize('a', { sampleRate: 48000 })) t.equal(frame.sampleRate, 16000, 'an unsupported rate gets the first one');
  t.same(tts.texts, ['a b']);
});

t.test('FakeTtsProvider noise is deterministic', async (t) => {
  const render = async () => {
    const out: number[] = [];
    for await (const frame of new FakeTtsProvider({ sound: 'noise' }).synthesize('hello', { sampleRate: 8000 })) out.push(...frame.samples);
    return out;
  };
  const first = await render();
  t.ok(first.some((s) => s !== 0));
  t.same(await render(), first);
});

t.test('FakeTtsProvider speaks text pieces as they arrive, or all at once without streamingInput', async (t) => {
  const order = async (streamingInput: boolean) => {
    const log: string[] = [];
    async function* pieces() {
      for (const piece of ['one ', 'two']) {
        log.push(`text ${piece.trim()}`);
        yield piece;
      }
    }
    const tts = new FakeTtsProvider({ streamingInput, msPerChar: 20 });
    for await (const frame of tts.synthesize(pieces(), { sampleRate: 24000 })) log.push(`audio ${frame.samples.length}`);
    t.same(tts.texts, ['one ', 'two']);
    return log;
  };
  t.same(await order(true), ['text one', 'audio 480', 'audio 480', 'audio 480', 'text two', 'audio 480', 'audio 480', 'audio 480']);
  t.same(await order(false), ['text one', 'text two', ...Array(6).fill('audio 480')]);
});

t.test('FakeTtsProvider stops on abort while its text source is stalled, and releases the source', async (t) => {
  let released = false;
  const stalled: AsyncIterable<string> = {
    [Symbol.asyncIterator]: () => ({
      next: () => new Promise<IteratorResult<string>>(() => undefined),
      return: async () => {
        released = true;
        return { value: undefined, done: true };
      },
    }),
  };
  const tts = new FakeTtsProvider();
  const controller = new AbortController();
  const run = (async () => {
    for await (const _frame of tts.synthesize(stalled, { sampleRate: 24000, signal: controller.signal }));
  })();
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(tts.stats.open, 1);
  controller.abort();
  await run;
  t.ok(released, 'return() was called on the text source');
  t.match(tts.stats, { calls: 1, open: 0, aborts: 1 });
});

t.test('FakeTtsProvider fails as induced: auth at once, disconnect after one frame', async (t) => {
  const tts = new FakeTtsProvider();
  tts.induce('auth');
  await t.rejects(
    (async () => {
      for await (const _frame of tts.synthesize('hello', { sampleRate: 24000 }));
    })(),
    { code: 'VAPI_ERR_TESTKIT_INDUCED', category: 'auth', retryable: false },
  );
  tts.induce('disconnect');
  let frames = 0;
  await t.rejects(
    (async () => {
      for await (const _frame of tts.synthesize('hello', { sampleRate: 24000 })) frames++;
    })(),
    { code: 'VAPI_ERR_TESTKIT_INDUCED', category: 'connectivity' },
  );
  t.equal(frames, 1);
  t.match(tts.stats, { calls: 2, failures: 2, open: 0 });
});

t.test('FakeSttProvider: interim results as speech grows, the final finalLatencyMs after end()', async (t) => {
  const clock = new VirtualClock();
  const stt = new FakeSttProvider({ clock, script: ['one two three'], interimEveryMs: 100, finalLatencyMs: 300 });
  const stream = await stt.stream({ sampleRate: 16000, language: 'en-US' });
  const { items, done } = collect(stream, clock);
  for (const frame of frames(300)) stream.write(frame);
  for (const frame of frames(200, 16000, false)) stream.write(frame);
  await clock.advance(50);
  stream.end();
  await clock.advance(299);
  t.equal(items.length, 3, 'no final yet');
  await clock.advance(1);
  await done;
  const results: Array<[number, Partial<TranscriptFrame>]> = items.map(({ at, item }) => [at, { text: item.text, isFinal: item.isFinal }]);
  t.same(results, [
    [0, { text: 'one', isFinal: false }],
    [0, { text: 'one two', isFinal: false }],
    [0, { text: 'one two three', isFinal: false }],
    [350, { text: 'one two three', isFinal: true }],
  ]);
  t.match(items.at(-1)!.item, { language: 'en-US', startMs: 0, endMs: 500 });
  t.match(stt.stats, { calls: 1, open: 0, completed: 1 });
});

t.test('FakeSttProvider: segments close after segmentSpeechMs, each taking the next scripted transcript', async (t) => {
  const stt = new FakeSttProvider({ script: ['first', 'second'], segmentSpeechMs: 200, interimResults: false });
  const stream = await stt.stream({ sampleRate: 16000 });
  const texts: string[] = [];
  const done = (async () => {
    for await (const r of stream) texts.push(`${r.isFinal ? 'final' : 'interim'} ${r.text}`);
  })();
  for (const frame of frames(500)) stream.write(frame);
  stream.end();
  await done;
  t.same(texts, ['final first', 'final second'], 'the third segment found the script empty: nothing understood');
});

t.test('FakeSttProvider: a script function hears the segment audio; silence is no speech', async (t) => {
  const stt = new FakeSttProvider({ script: (audio, rate) => (zeroCrossingFrequency(audio, rate) > 300 ? 'high' : 'low'), interimResults: false });
  const transcripts = async (audio: AudioFrame[]) => {
    const stream = await stt.stream({ sampleRate: 16000 });
    for (const frame of audio) stream.write(frame);
    stream.end();
    const out: string[] = [];
    for await (const r of stream) out.push(r.text);
    return out;
  };
  t.same(await transcripts(frames(200)), ['high']);
  t.same(await transcripts(frames(1000, 16000, false)), []);
});

t.test('FakeSttProvider: close() and abort end the stream at once, idempotently, and clear timers', async (t) => {
  const clock = new VirtualClock();
  const stt = new FakeSttProvider({ clock, finalLatencyMs: 500 });
  const stream = await stt.stream({ sampleRate: 16000 });
  const { items, done } = collect(stream, clock);
  for (const frame of frames(100)) stream.write(frame);
  stream.end();
  t.equal(clock.pendingTimers, 1, 'the final is pending');
  await Promise.all([stream.close(), stream.close()]);
  await done;
  t.equal(clock.pendingTimers, 0);
  t.same(items, []);
  stream.write(frames(20)[0]!);
  const controller = new AbortController();
  const aborted = await stt.stream({ sampleRate: 16000, signal: controller.signal });
  controller.abort();
  for await (const _r of aborted) t.fail('no results after abort');
  await aborted.close();
  t.match(stt.stats, { calls: 2, open: 0, aborts: 2 });
});

t.test('FakeSttProvider fails as induced: auth at connect, disconnect at the first audio, timeout when stalled', async (t) => {
  const clock = new VirtualClock();
  const stt = new FakeSttProvider({ clock, idleTimeoutMs: 400 });
  stt.induce('auth');
  await t.rejects(stt.stream({ sampleRate: 16000 }), { code: 'VAPI_ERR_TESTKIT_INDUCED', category: 'auth', retryable: false });
  stt.induce('disconnect');
  const dropped = await stt.stream({ sampleRate: 16000 });
  t.doesNotThrow(() => frames(100).forEach((f) => dropped.write(f)), 'write() never throws, even on a dead stream');
  await t.rejects(dropped[Symbol.asyncIterator]().next(), { code: 'VAPI_ERR_TESTKIT_INDUCED', category: 'connectivity' });
  stt.induce('timeout');
  const stalled = await stt.stream({ sampleRate: 16000 });
  const next = stalled[Symbol.asyncIterator]().next();
  next.catch(() => undefined);
  for (const frame of frames(100)) stalled.write(frame);
  stalled.end();
  await clock.advance(399);
  t.equal(stt.stats.open, 1);
  await clock.advance(1);
  await t.rejects(next, { code: 'VAPI_ERR_TESTKIT_INDUCED', category: 'timeout' });
  t.match(stt.stats, { calls: 3, failures: 3, open: 0 });
});

t.test('RealClock sleeps, aborts and clears on Node timers', async (t) => {
  const clock = new RealClock();
  const start = clock.monotonic();
  await clock.sleep(15);
  t.ok(clock.monotonic() - start >= 14);
  t.ok(Math.abs(clock.now() - Date.now()) < 5);
  const controller = new AbortController();
  const sleeping = clock.sleep(10_000, controller.signal);
  controller.abort(new Error('stop'));
  await t.rejects(sleeping, { message: 'stop' });
  let fired = false;
  clock.clearTimeout(clock.setTimeout(() => (fired = true), 1));
  await clock.sleep(10);
  t.notOk(fired);
  t.same(process.getActiveResourcesInfo().filter((r) => r === 'Timeout'), [], 'no timer left behind');
});
