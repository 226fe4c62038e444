/**
 * The suites as a vendor uses them: a provider over real HTTP (fetch + server-sent events) against
 * a fake vendor server in the same process, whose failure mode induce() switches.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { VapiError, type LlmEvent, type LlmProvider, type LlmRequest } from '../src/index.js';
import { llmConformance, runWithTap, type InducedFailure } from '../src/testkit/index.js';

/** A minimal vendor provider: POST the messages, read `data: {...}` lines. */
class AcmeLlm implements LlmProvider {
  readonly name = 'acme';
  readonly capabilities = { tools: false, models: [] };

  constructor(private readonly url: string, private readonly idleTimeoutMs: number) {}

  async *chat(request: LlmRequest): AsyncGenerator<LlmEvent> {
    const connection = new AbortController();
    const stop = () => connection.abort();
    request.signal?.addEventListener('abort', stop, { once: true });
    let idle: NodeJS.Timeout | undefined;
    const stalled = () => new VapiError('acme stopped sending', { code: 'VAPI_ERR_ACME_TIMEOUT', category: 'timeout' });
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(() => connection.abort(stalled()), this.idleTimeoutMs);
    };
    try {
      arm();
      const response = await postOnce(this.url, JSON.stringify(request.messages), connection.signal);
      if (!response.ok) throw statusError(response.status);
      let buffer = '';
      let finishReason: 'stop' | undefined;
      // Read to the end of the body, so that fetch can reuse the connection.
      for await (const chunk of response.body!.pipeThrough(new TextDecoderStream())) {
        arm();
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const data = JSON.parse(buffer.slice(buffer.indexOf('data: ') + 6, end)) as { text?: string; done?: 'stop' };
          buffer = buffer.slice(end + 2);
          if (request.signal?.aborted) return;
          if (data.text !== undefined) yield { type: 'text-delta', text: data.text };
          finishReason ??= data.done;
        }
      }
      if (!finishReason) throw new VapiError('acme closed the stream early', { code: 'VAPI_ERR_ACME_DISCONNECTED', category: 'connectivity' });
      yield { type: 'done', finishReason };
    } catch (error) {
      if (request.signal?.aborted) return;
      if (connection.signal.aborted) throw connection.signal.reason;
      if (error instanceof VapiError) throw error;
      throw new VapiError('acme connection failed', { code: 'VAPI_ERR_ACME_DISCONNECTED', category: 'connectivity', cause: error });
    } finally {
      clearTimeout(idle);
      request.signal?.removeEventListener('abort', stop);
      connection.abort();
    }
  }
}

/**
 * A POST, sent again once if it failed on a kept-alive connection the server had just closed
 * (undici retries no POST itself): nothing reached the server, so nothing is repeated.
 */
async function postOnce(url: string, body: string, signal: AbortSignal): Promise<Response> {
  try {
    return await fetch(url, { method: 'POST', body, signal });
  } catch (error) {
    const code = ((error as Error).cause as { code?: string } | undefined)?.code;
    if (signal.aborted || (code !== 'UND_ERR_SOCKET' && code !== 'ECONNRESET')) throw error;
    return fetch(url, { method: 'POST', body, signal });
  }
}

function statusError(status: number): VapiError {
  if (status === 401) return new VapiError('acme rejected the key', { code: 'VAPI_ERR_ACME_AUTH', category: 'auth' });
  if (status === 429) return new VapiError('acme rate limit', { code: 'VAPI_ERR_ACME_RATE_LIMIT', category: 'rate_limit' });
  return new VapiError(`acme answered ${status}`, { code: 'VAPI_ERR_ACME_SERVER', category: 'server' });
}

/** The fake Acme server: streams ten words, or fails the way `mode` says. */
async function fakeAcmeServer() {
  let mode: InducedFailure | undefined;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', async () => {
      if (mode === 'auth' || mode === 'rate_limit' || mode === 'server') return res.writeHead({ auth: 401, rate_limit: 429, server: 503 }[mode]).end();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (mode === 'timeout') return res.flushHeaders(); // then silence
      const words = 'One two three four five six seven eight nine ten.'.split(' ');
      for (const [i, word] of words.entries()) {
        if (mode === 'disconnect' && i === 3) return res.destroy();
        if (res.destroyed) return; // the client went away
        res.write(`data: ${JSON.stringify({ text: i === 0 ? word : ` ${word}` })}\n\n`);
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
      res.end('data: {"done":"stop"}\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/chat`,
    induce: (failure: InducedFailure) => void (mode = failure),
    restore: () => void (mode = undefined),
  };
}

t.test('a fetch-based LLM provider against its fake vendor server passes llmConformance', async (t) => {
  const acme = await fakeAcmeServer();
  t.teardown(() => {
    acme.server.closeAllConnections();
    acme.server.close();
  });
  await runWithTap(
    t,
    llmConformance({
      create: () => new AcmeLlm(acme.url, 1000),
      induce: acme.induce,
      restore: acme.restore,
      // The server keeps finished connections alive; close them so they do not count as leaks.
      leaks: { settle: () => acme.server.closeIdleConnections() },
    }),
  );
});

t.test('leaks.settle is what keeps the fake server keep-alive socket from counting as a leak', async (t) => {
  const acme = await fakeAcmeServer();
  t.teardown(() => {
    acme.server.closeAllConnections();
    acme.server.close();
  });
  // Completed responses (the 401, the final chat) leave the server's side of their connections alive.
  const leakCase = (settle?: () => void) =>
    llmConformance({ create: () => new AcmeLlm(acme.url, 1000), induce: acme.induce, restore: acme.restore, inducible: ['auth'], leaks: { waitMs: 200, ...(settle ? { settle } : {}) } }).find((c) =>
      c.name.startsWith('no handles left open'),
    )!;
  await t.rejects(leakCase().run(), { name: 'AssertionError', message: /TCPSocketWrap \+\d/ }, 'without settle');
  await t.resolves(leakCase(() => acme.server.closeIdleConnections()).run(), 'with settle');
});
