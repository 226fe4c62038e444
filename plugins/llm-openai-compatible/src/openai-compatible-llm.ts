/**
 * An LlmProvider for one OpenAI-compatible endpoint: streams `POST /chat/completions` over SSE
 * and turns it into LlmEvents, following the contract in the SDK's providers/llm.ts. Failures
 * before anything was streamed are retried when a retry can help (connection, 429, 5xx).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  isVapiError,
  type ErrorCategory,
  type LlmCapabilities,
  type LlmEvent,
  type LlmProvider,
  type LlmRequest,
  type Logger,
  type VapiError,
} from '@vapi-cn/sdk-plugin-api';
import { ChunkDecoder, type WireChunk } from './chunk-decoder.js';
import { badResponseError, connectionError, httpError, streamError, timeoutError, type ErrorContext } from './errors.js';
import type { ProviderConfig } from './provider-config.js';
import { buildRequestBody } from './request-body.js';
import { SseParser, type SseEvent } from './sse-parser.js';
import { Watchdog } from './watchdog.js';

const RETRIED_CATEGORIES: ReadonlySet<ErrorCategory> = new Set(['connectivity', 'rate_limit', 'server']);
// A caller is waiting on the line: past this, failing over to another provider beats waiting
// for the Retry-After a vendor asks for.
const MAX_RETRY_WAIT_MS = 5000;
const RETRY_BASE_DELAY_MS = 250;
const DRAIN_LIMIT_MS = 1000;

const ABORTED: LlmEvent = Object.freeze({ type: 'done', finishReason: 'aborted' });

/** The LlmProvider for one configured entry of `providers`; `name` is the entry's key. */
export class OpenAiCompatibleLlm implements LlmProvider {
  readonly name: string;
  readonly capabilities: LlmCapabilities = { tools: true, models: [] };
  private readonly headers: Record<string, string>;
  private readonly context: ErrorContext;

  constructor(
    private readonly config: ProviderConfig,
    private readonly log: Logger,
  ) {
    this.name = config.name;
    this.context = { provider: config.name, apiKey: config.apiKey };
    this.headers = {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(config.apiKey === undefined ? {} : { authorization: `Bearer ${config.apiKey}` }),
      // Lower-cased so a configured 'Authorization' replaces ours instead of being appended to it.
      ...Object.fromEntries(Object.entries(config.headers).map(([name, value]) => [name.toLowerCase(), value])),
    };
  }

  /**
   * Streams one answer. Ends with `done` (`aborted` when `request.signal` aborts); throws a
   * VapiError on failure, after up to `maxRetries` retries if nothing was streamed yet.
   */
  async *chat(request: LlmRequest): AsyncGenerator<LlmEvent> {
    const { signal } = request;
    const body = JSON.stringify(buildRequestBody(request, this.config));
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) {
        yield ABORTED;
        return;
      }
      let streamed = false;
      try {
        for await (const event of this.attempt(body, signal)) {
          streamed = true;
          yield event;
        }
        return;
      } catch (error) {
        // Once something was streamed the caller has acted on it; a retry would repeat it.
        const delayMs = streamed ? undefined : this.retryDelayMs(error as VapiError, attempt);
        if (delayMs === undefined) throw error;
        this.log.warn({ attempt: attempt + 1, code: (error as VapiError).code, delayMs }, 'LLM request failed before streaming; retrying');
        try {
          await sleep(delayMs, undefined, { signal });
        } catch {
          yield ABORTED;
          return;
        }
      }
    }
  }

  // One HTTP request, streamed. Every failure leaves as a VapiError; an abort ends with `done`.
  private async *attempt(body: string, signal: AbortSignal | undefined): AsyncGenerator<LlmEvent> {
    const controller = new AbortController();
    const abort = () => controller.abort();
    signal?.addEventListener('abort', abort);
    const watchdog = new Watchdog(this.config, abort);
    let phase: 'connect' | 'stream' = 'connect';
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    let answered = false;
    try {
      const response = await fetch(this.config.url, { method: 'POST', headers: this.headers, body, signal: controller.signal });
      watchdog.responded();
      phase = 'stream';
      if (!response.ok) throw httpError(this.context, response.status, response.headers, await response.text());
      // Some servers answer an error (or ignore `stream`) with a plain JSON body and status 200.
      if (/application\/json/i.test(response.headers.get('content-type') ?? '')) throw this.unstreamedError(await response.text());
      if (!response.body) throw badResponseError(this.context, 'an empty body');
      reader = response.body.getReader();
      const parser = new SseParser();
      const decoder = new ChunkDecoder(this.context);
      const events: LlmEvent[] = [];
      for (;;) {
        watchdog.waiting();
        const { done, value } = await reader.read();
        watchdog.received();
        for (const sse of done ? parser.end() : parser.push(value)) {
          if (signal?.aborted) {
            yield ABORTED;
            return;
          }
          answered = this.decodeEvent(sse, decoder, events);
          if (decoder.started) watchdog.answering();
          for (const event of events) yield event;
          events.length = 0;
          if (answered) return; // anything after [DONE] is ignored
        }
        if (done) {
          // A body that ends after the finish_reason but without [DONE] still holds a whole answer.
          if (!decoder.finished) throw connectionError(this.context, 'stream', undefined);
          decoder.end(events);
          for (const event of events) yield event;
          return;
        }
      }
    } catch (error) {
      if (signal?.aborted) {
        yield ABORTED;
        return;
      }
      if (watchdog.expired !== undefined) throw timeoutError(this.context, watchdog.expired, watchdog.limitOf(watchdog.expired));
      if (isVapiError(error)) throw error;
      throw connectionError(this.context, phase, error);
    } finally {
      watchdog.dispose();
      signal?.removeEventListener('abort', abort);
      // After [DONE] only the body's last bytes are left: read them so the connection can carry
      // the next request. Otherwise (abort, error, consumer gone) close the connection.
      if (answered && reader) releaseAfterEnd(reader, controller);
      else controller.abort();
    }
  }

  // Appends the events of one SSE event; true at [DONE].
  private decodeEvent(sse: SseEvent, decoder: ChunkDecoder, events: LlmEvent[]): boolean {
    if (sse.event === 'error') throw streamError(this.context, parseJson(sse.data) ?? sse.data);
    if (sse.data.startsWith('[DONE]')) {
      decoder.end(events);
      return true;
    }
    if (sse.data.trim() === '') return false;
    const chunk = parseJson(sse.data);
    if (typeof chunk !== 'object' || chunk === null) throw badResponseError(this.context, `an event that is not a JSON object: ${sse.data.slice(0, 100)}`);
    if ((chunk as { error?: unknown }).error) throw streamError(this.context, chunk);
    decoder.decode(chunk as WireChunk, events);
    return false;
  }

  private unstreamedError(text: string): VapiError {
    const body = parseJson(text) as { error?: unknown } | undefined;
    return body?.error ? streamError(this.context, body) : badResponseError(this.context, 'a JSON answer instead of an event stream');
  }

  private retryDelayMs(error: VapiError, attempt: number): number | undefined {
    if (attempt >= this.config.maxRetries || !isVapiError(error) || !error.retryable || !RETRIED_CATEGORIES.has(error.category)) return undefined;
    const retryAfterMs = error.details?.retryAfterMs;
    if (typeof retryAfterMs === 'number') return retryAfterMs <= MAX_RETRY_WAIT_MS ? retryAfterMs : undefined;
    return RETRY_BASE_DELAY_MS * 2 ** attempt;
  }
}

// Reads what follows [DONE] in the background (the answer is already delivered), so the socket
// returns to the pool; a server that keeps the body open past the limit gets its connection closed.
function releaseAfterEnd(reader: ReadableStreamDefaultReader<Uint8Array>, controller: AbortController): void {
  const timer = setTimeout(() => controller.abort(), DRAIN_LIMIT_MS);
  void (async () => {
    try {
      while (!(await reader.read()).done);
    } catch {
      // Aborted by the timer, or the server closed: either way nothing is left to release.
    } finally {
      clearTimeout(timer);
    }
  })();
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
