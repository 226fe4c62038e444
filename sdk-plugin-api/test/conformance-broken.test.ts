/**
 * The conformance suites can fail: each broken provider below is a fake with one defect, and the
 * case that checks that rule must reject with an AssertionError naming it, while the same case
 * passes against the working fake.
 */
import t, { type Test } from 'tap';
import { isVapiError, VapiError, type AudioFrame, type LlmEvent, type LlmRequest, type SttStream, type SttStreamOptions, type TranscriptFrame, type TtsOptions } from '../src/index.js';
import {
  FakeLlmProvider,
  FakeSttProvider,
  FakeTtsProvider,
  llmConformance,
  sttConformance,
  ttsConformance,
  type ConformanceCase,
  type FakeLlmOptions,
  type FakeSttOptions,
  type FakeTtsOptions,
  type InducedFailure,
} from '../src/testkit/index.js';

const STT: FakeSttOptions = { finalLatencyMs: 20, idleTimeoutMs: 100, script: () => 'hello world' };
const LLM: FakeLlmOptions = { firstTokenMs: 5, tokenIntervalMs: 2, idleTimeoutMs: 100, script: ['One, two, three, four, five, six, seven, eight, nine, ten.'] };
const TTS: FakeTtsOptions = { firstAudioMs: 10, realTimeFactor: 0.1, frameMs: 40, msPerChar: 20, idleTimeoutMs: 100 };
// Tight bounds, so that the cases a broken provider makes wait fail quickly.
const BOUNDS = { abortWithinMs: 200, finishWithinMs: 500 };

/** Hooks that induce failures on whichever fake the suite created last. */
function inducing<P extends { induce(f: InducedFailure): void; restore(): void }>(make: () => P) {
  let current: P;
  return {
    create: () => (current = make()),
    induce: (f: InducedFailure) => current.induce(f),
    restore: () => current.restore(),
  };
}

function pick(cases: ConformanceCase[], name: RegExp): ConformanceCase {
  const found = cases.find((c) => name.test(c.name));
  if (!found) throw new Error(`no case matches ${name}`);
  return found;
}

/** The case passes against the working provider and fails, saying `message`, against the broken one. */
async function breaks(t: Test, name: RegExp, good: ConformanceCase[], broken: ConformanceCase[], message: RegExp) {
  const control = pick(good, name);
  await t.resolves(control.run(), `'${control.name}' passes for the working fake`);
  await t.rejects(pick(broken, name).run(), { name: 'AssertionError', message }, `and fails for the broken one: ${message}`);
}

// ---- STT ----

/** A fake whose streams are altered by `patch`. */
function sttWith(patch: (stream: SttStream) => Partial<SttStream>) {
  return class extends FakeSttProvider {
    override async stream(options: SttStreamOptions): Promise<SttStream> {
      const inner = await super.stream(options);
      return {
        write: (frame) => inner.write(frame),
        end: () => inner.end(),
        close: () => inner.close(),
        [Symbol.asyncIterator]: () => inner[Symbol.asyncIterator](),
        ...patch(inner),
      };
    }
  };
}

t.test('sttConformance fails an STT that leaks a timer per stream', async (t) => {
  const timers: NodeJS.Timeout[] = [];
  t.teardown(() => timers.forEach(clearInterval));
  const Leaky = sttWith(() => {
    timers.push(setInterval(() => undefined, 60_000)); // a keep-alive ping nobody stops
    return {};
  });
  const good = sttConformance({ ...BOUNDS, ...inducing(() => new FakeSttProvider(STT)) });
  const broken = sttConformance({ ...BOUNDS, ...inducing(() => new Leaky(STT)) });
  await breaks(t, /no handles left open/, good, broken, /handles left open .*: Timeout \+\d+/);
  // ...unless told to ignore timers: the option exists for vendor SDKs that keep global handles.
  await t.resolves(pick(sttConformance({ ...BOUNDS, leaks: { ignore: ['Timeout'] }, create: () => new Leaky(STT) }), /no handles left open/).run());
});

t.test('sttConformance fails an STT whose write() throws on an empty frame', async (t) => {
  const Throwing = sttWith((inner) => ({
    write: (frame) => {
      if (frame.samples.length === 0) throw new RangeError('empty frame');
      inner.write(frame);
    },
  }));
  await breaks(t, /write\(\) never throws/, sttConformance({ create: () => new FakeSttProvider(STT) }), sttConformance({ create: () => new Throwing(STT) }), /write\(\) threw for a live stream: RangeError: empty frame/);
});

t.test('sttConformance fails an STT whose second close() throws', async (t) => {
  const Strict = sttWith((inner) => {
    let closed = false;
    return {
      close: async () => {
        if (closed) throw new Error('already closed');
        closed = true;
        await inner.close();
      },
    };
  });
  await breaks(t, /close\(\) is idempotent/, sttConformance({ create: () => new FakeSttProvider(STT) }), sttConformance({ create: () => new Strict(STT) }), /a second close\(\) threw Error: already closed/);
});

t.test('sttConformance fails an STT that ends on an interim result', async (t) => {
  const Trailing = sttWith((inner) => ({
    [Symbol.asyncIterator]: async function* (): AsyncGenerator<TranscriptFrame> {
      yield* inner;
      yield { kind: 'transcript', text: 'hello world and', isFinal: false };
    },
  }));
  await breaks(t, /^order:/, sttConformance({ create: () => new FakeSttProvider(STT) }), sttConformance({ create: () => new Trailing(STT) }), /the last result is interim/);
});

t.test('sttConformance fails an STT that ignores close() mid-stream, or never completes after end()', async (t) => {
  const Deaf = sttWith(() => ({ close: async () => undefined }));
  const good = sttConformance({ ...BOUNDS, create: () => new FakeSttProvider(STT) });
  await breaks(t, /^close\(\) mid-stream/, good, sttConformance({ ...BOUNDS, create: () => new Deaf(STT) }), /close\(\) mid-stream and the end of the iteration did not happen within 200 ms/);
  const Endless = sttWith(() => ({ end: () => undefined }));
  await breaks(t, /^order:/, good, sttConformance({ ...BOUNDS, create: () => new Endless(STT) }), /the iteration after end\(\) did not happen within 500 ms/);
});

// ---- LLM ----

t.test('llmConformance fails an LLM that emits text after done', async (t) => {
  class Chatty extends FakeLlmProvider {
    override async *chat(request: LlmRequest): AsyncGenerator<LlmEvent> {
      yield* super.chat(request);
      yield { type: 'text-delta', text: ' Anything else?' };
    }
  }
  await breaks(t, /^order:/, llmConformance({ create: () => new FakeLlmProvider(LLM) }), llmConformance({ create: () => new Chatty(LLM) }), /events after done: .*Anything else/);
});

/** A fake LLM whose thrown errors are replaced by `map`. */
function llmMappingErrors(map: (error: VapiError) => unknown) {
  return class extends FakeLlmProvider {
    override async *chat(request: LlmRequest): AsyncGenerator<LlmEvent> {
      try {
        yield* super.chat(request);
      } catch (error) {
        throw isVapiError(error) ? map(error) : error;
      }
    }
  };
}

t.test('llmConformance fails an LLM that reports 429 as a server error', async (t) => {
  const Misfiled = llmMappingErrors((e) => (e.category === 'rate_limit' ? new VapiError('HTTP 429', { code: 'VAPI_ERR_TESTKIT_INDUCED', category: 'server' }) : e));
  await breaks(
    t,
    /induced rate_limit/,
    llmConformance(inducing(() => new FakeLlmProvider(LLM))),
    llmConformance(inducing(() => new Misfiled(LLM))),
    /the induced rate_limit failure has category 'server', expected 'rate_limit'/,
  );
});

t.test('llmConformance fails an LLM that throws a plain Error for a 401, or marks it retryable', async (t) => {
  const Plain = llmMappingErrors((e) => (e.category === 'auth' ? new Error('401 Unauthorized') : e));
  const good = llmConformance(inducing(() => new FakeLlmProvider(LLM)));
  await breaks(t, /induced auth/, good, llmConformance(inducing(() => new Plain(LLM))), /must be thrown as a VapiError, got Error: 401 Unauthorized/);
  const Retrying = llmMappingErrors((e) => (e.category === 'auth' ? new VapiError('HTTP 401', { code: 'VAPI_ERR_TESTKIT_INDUCED', category: 'auth', retryable: true }) : e));
  await breaks(t, /induced auth/, good, llmConformance(inducing(() => new Retrying(LLM))), /the induced auth failure must not be retryable/);
});

t.test('llmConformance fails an LLM that emits a tool call twice', async (t) => {
  class Stutter extends FakeLlmProvider {
    override async *chat(request: LlmRequest): AsyncGenerator<LlmEvent> {
      for await (const event of super.chat(request)) {
        yield event;
        if (event.type === 'tool-call') yield event;
      }
    }
  }
  const withTools: FakeLlmOptions = { ...LLM, script: [{ toolCalls: [{ name: 'hang_up' }] }] };
  const toolCallRequest = { messages: [{ role: 'user' as const, content: 'bye' }], tools: [{ name: 'hang_up', description: 'End the call', parameters: { type: 'object' } }] };
  await breaks(t, /^tool calls/, llmConformance({ create: () => new FakeLlmProvider(withTools), toolCallRequest }), llmConformance({ create: () => new Stutter(withTools), toolCallRequest }), /a tool call was emitted more than once: call_1_0, call_1_0/);
});

t.test('llmConformance fails an LLM that ignores abort, or throws when aborted', async (t) => {
  class Heedless extends FakeLlmProvider {
    override chat(request: LlmRequest): AsyncIterable<LlmEvent> {
      const { signal: _ignored, ...rest } = request;
      return super.chat(rest);
    }
  }
  class Loud extends FakeLlmProvider {
    override async *chat(request: LlmRequest): AsyncGenerator<LlmEvent> {
      yield* super.chat(request);
      if (request.signal?.aborted) throw new DOMException('This operation was aborted', 'AbortError');
    }
  }
  const good = llmConformance({ create: () => new FakeLlmProvider(LLM) });
  await breaks(t, /^abort mid-stream/, good, llmConformance({ create: () => new Heedless(LLM) }), /events after abort/);
  await breaks(t, /^abort mid-stream/, good, llmConformance({ create: () => new Loud(LLM) }), /the end of the iteration after abort threw AbortError/);
});

// ---- TTS ----

t.test('ttsConformance fails a TTS that ignores abort', async (t) => {
  class Heedless extends FakeTtsProvider {
    override synthesize(text: string | AsyncIterable<string>, options: TtsOptions): AsyncIterable<AudioFrame> {
      const { signal: _ignored, ...rest } = options;
      return super.synthesize(text, rest);
    }
  }
  await breaks(t, /^abort mid-stream/, ttsConformance({ create: () => new FakeTtsProvider(TTS) }), ttsConformance({ create: () => new Heedless(TTS) }), /\d+ frames after abort/);
});

t.test('ttsConformance fails a TTS that ignores the requested sample rate', async (t) => {
  class Deaf extends FakeTtsProvider {
    override synthesize(text: string | AsyncIterable<string>, options: TtsOptions): AsyncIterable<AudioFrame> {
      return super.synthesize(text, { ...options, sampleRate: this.capabilities.sampleRates[0]! });
    }
  }
  await breaks(t, /^sample rates/, ttsConformance({ create: () => new FakeTtsProvider(TTS) }), ttsConformance({ create: () => new Deaf(TTS) }), /synthesis at 16000 Hz: a frame at 24000 Hz/);
});

t.test('ttsConformance fails a TTS that claims streaming input but waits for all the text', async (t) => {
  class Buffering extends FakeTtsProvider {
    override async *synthesize(text: string | AsyncIterable<string>, options: TtsOptions): AsyncGenerator<AudioFrame> {
      let whole = '';
      if (typeof text === 'string') whole = text;
      else for await (const piece of text) whole += piece;
      yield* super.synthesize(whole, options);
    }
  }
  await breaks(t, /^streaming input/, ttsConformance({ ...BOUNDS, create: () => new FakeTtsProvider(TTS) }), ttsConformance({ ...BOUNDS, create: () => new Buffering(TTS) }), /no audio before the last text piece was consumed/);
});

t.test('ttsConformance fails a TTS that yields float samples', async (t) => {
  class Floaty extends FakeTtsProvider {
    override async *synthesize(text: string | AsyncIterable<string>, options: TtsOptions): AsyncGenerator<AudioFrame> {
      for await (const frame of super.synthesize(text, options)) yield { ...frame, samples: Float32Array.from(frame.samples, (s) => s / 32768) as unknown as Int16Array };
    }
  }
  await breaks(t, /^lifecycle/, ttsConformance({ create: () => new FakeTtsProvider(TTS) }), ttsConformance({ create: () => new Floaty(TTS) }), /samples must be an Int16Array/);
});

t.test('ttsConformance fails a TTS that leaks a timer when the vendor fails, or calls a stall a server error', async (t) => {
  const timers: NodeJS.Timeout[] = [];
  t.teardown(() => timers.forEach(clearTimeout));
  /** A fake TTS whose thrown errors go through `map`. */
  const ttsMappingErrors = (map: (error: VapiError) => unknown) =>
    class extends FakeTtsProvider {
      override async *synthesize(text: string | AsyncIterable<string>, options: TtsOptions): AsyncGenerator<AudioFrame> {
        try {
          yield* super.synthesize(text, options);
        } catch (error) {
          throw isVapiError(error) ? map(error) : error;
        }
      }
    };
  const Leaky = ttsMappingErrors((e) => {
    timers.push(setTimeout(() => undefined, 60_000)); // a reconnect timer left behind
    return e;
  });
  const good = ttsConformance({ ...BOUNDS, ...inducing(() => new FakeTtsProvider(TTS)) });
  await breaks(t, /no handles left open/, good, ttsConformance({ ...BOUNDS, ...inducing(() => new Leaky(TTS)) }), /Timeout \+5/);
  const Misfiled = ttsMappingErrors((e) => (e.category === 'timeout' ? new VapiError('stalled', { code: 'VAPI_ERR_TESTKIT_INDUCED', category: 'server' }) : e));
  await breaks(t, /induced timeout/, good, ttsConformance({ ...BOUNDS, ...inducing(() => new Misfiled(TTS)) }), /category 'server', expected 'timeout'/);
});

t.test('an induced failure that never surfaces fails its case by the deadline', async (t) => {
  // induce() that does nothing: the vendor keeps working, so no error ever comes.
  const cases = ttsConformance({ ...BOUNDS, create: () => new FakeTtsProvider(TTS), induce: () => undefined });
  await t.rejects(pick(cases, /induced server/).run(), { name: 'AssertionError', message: /the session ended normally; the induced server failure must be thrown as a VapiError/ });
});
