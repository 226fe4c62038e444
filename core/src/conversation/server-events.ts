/**
 * A call's events (status updates, transcripts, tool calls, the end-of-call report) POSTed to the
 * assistant's `server.url`, signed. Sending never blocks the caller: events queue and go out one
 * at a time, in order. A network error, timeout, 5xx or 429 is retried with exponential backoff
 * and jitter (or after the receiver's Retry-After); any other 4xx is final. A final failure is
 * logged and reported, and the queue moves on.
 */
import { VapiError, type Clock, type Logger } from '@vapi-cn/sdk-plugin-api';
import type { AssistantSettings, ServerEventType } from './assistant-settings.js';
import { signWebhook } from './webhook-signature.js';
import { networkErrorCode, statusCategory } from './webhook-failure.js';

export type ServerSettings = AssistantSettings['server'];

/** The first retry waits about this long; each further one twice as long (plus up to 50% jitter). */
const BACKOFF_BASE_MS = 500;
/** A receiver's Retry-After is honoured up to this, so a call's last events are not held for hours. */
const MAX_RETRY_AFTER_MS = 60_000;

export interface ServerEventsOptions {
  callId: string;
  /**
   * The assistant now in charge of the call and its `server` settings. Read at each send(): the
   * settings can change at every turn, and the assistant at a handoff.
   */
  target: () => { assistantId: string | null; server: ServerSettings };
  /** Backoff waits and request timeouts. */
  clock: Clock;
  /** The call's logger. */
  log: Logger;
  /** An event was given up on (after its retries, or at once for a 4xx). */
  onFailure?: (error: VapiError, event: { type: ServerEventType; attempts: number }) => void;
}

interface Delivery {
  type: ServerEventType;
  body: string;
  url: string;
  secret: string | undefined;
  timeoutMs: number;
  maxRetries: number;
}

type Attempt = { ok: true } | { ok: false; retryable: boolean; retryAfterMs?: number; error: VapiError };

/** One call's queue of events to the assistant's server. */
export class ServerEvents {
  // Each delivery chains onto the previous one: that is the per-call order.
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly options: ServerEventsOptions) {}

  /**
   * Queues an event: `{ type, call: { id, assistantId }, timestamp (unix ms), ...payload }`.
   * Returns at once. Events the assistant's `server.events` leave out, or with no `server.url`,
   * are dropped.
   */
  send(type: ServerEventType, payload: Record<string, unknown> = {}): void {
    const { assistantId, server } = this.options.target();
    if (!server.url || !server.events.includes(type)) return;
    const head = { type, call: { id: this.options.callId, assistantId }, timestamp: this.options.clock.now() };
    let body: string;
    try {
      // The head goes first for readability and again last, so a payload cannot overwrite it.
      body = JSON.stringify({ ...head, ...payload, ...head });
    } catch (error) {
      this.options.log.error({ err: error, type }, 'a server event could not be serialised; dropped');
      return;
    }
    const delivery: Delivery = { type, body, url: server.url, secret: server.secret, timeoutMs: server.timeoutMs, maxRetries: server.maxRetries };
    // deliver() handles its own failures; the catch only keeps one bug from stalling the queue.
    this.tail = this.tail.then(() => this.deliver(delivery)).catch((error: unknown) => this.options.log.error({ err: error, type }, 'server event delivery failed unexpectedly'));
  }

  /**
   * Waits until every event sent so far is delivered or given up on, for at most `timeoutMs`.
   * Resolves true if they all were; false on timeout (they go on in the background).
   */
  async flush(timeoutMs: number): Promise<boolean> {
    const stop = new AbortController();
    const timedOut = this.options.clock.sleep(timeoutMs, stop.signal).then(
      () => false,
      () => false,
    );
    try {
      return await Promise.race([this.tail.then(() => true), timedOut]);
    } finally {
      stop.abort();
    }
  }

  private async deliver(delivery: Delivery): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt(delivery);
      if (outcome.ok) return;
      if (!outcome.retryable || attempt >= delivery.maxRetries) return this.giveUp(delivery, outcome.error, attempt + 1);
      const backoff = BACKOFF_BASE_MS * 2 ** attempt * (1 + Math.random() / 2);
      await this.options.clock.sleep(outcome.retryAfterMs ?? backoff);
    }
  }

  private async attempt(delivery: Delivery): Promise<Attempt> {
    const { clock } = this.options;
    const controller = new AbortController();
    const timer = clock.setTimeout(() => controller.abort(), delivery.timeoutMs);
    try {
      const headers = { 'content-type': 'application/json', ...(delivery.secret ? signWebhook(delivery.secret, delivery.body, clock.now()) : {}) };
      // No redirects: following one would send the signed body somewhere else.
      const response = await fetch(delivery.url, { method: 'POST', headers, body: delivery.body, redirect: 'manual', signal: controller.signal });
      // Read to the end so the connection can be reused.
      await response.arrayBuffer();
      if (response.ok) return { ok: true };
      const status = response.status;
      const retryable = status >= 500 || status === 429;
      const retryAfterMs = retryable ? parseRetryAfter(response.headers.get('retry-after'), clock.now()) : undefined;
      return {
        ok: false,
        retryable,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        error: new VapiError(`the assistant's server answered a '${delivery.type}' event with HTTP ${status}`, { code: 'VAPI_ERR_WEBHOOK_HTTP', category: statusCategory(status), details: { status } }),
      };
    } catch (error) {
      const failure = controller.signal.aborted
        ? new VapiError(`the assistant's server did not answer a '${delivery.type}' event within ${delivery.timeoutMs} ms`, { code: 'VAPI_ERR_WEBHOOK_TIMEOUT', category: 'timeout', details: { timeoutMs: delivery.timeoutMs } })
        : // The cause is left out: its message can repeat the URL, which may carry a token.
          new VapiError(`the assistant's server could not be reached for a '${delivery.type}' event`, { code: 'VAPI_ERR_WEBHOOK_NETWORK', category: 'connectivity', details: { reason: networkErrorCode(error) } });
      return { ok: false, retryable: true, error: failure };
    } finally {
      clock.clearTimeout(timer);
    }
  }

  private giveUp(delivery: Delivery, error: VapiError, attempts: number): void {
    // Neither the URL (it may carry a token), the secret nor the body (phone numbers, words said).
    this.options.log.warn({ err: error, type: delivery.type, attempts }, 'a server event could not be delivered');
    try {
      this.options.onFailure?.(error, { type: delivery.type, attempts });
    } catch (callbackError) {
      this.options.log.warn({ err: callbackError }, 'onFailure threw');
    }
  }
}

/** Retry-After as delay-seconds or an HTTP date, in ms from `now`, capped. */
function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS) : undefined;
}
