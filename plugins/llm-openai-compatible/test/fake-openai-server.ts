/**
 * A fake OpenAI-compatible chat-completions server on 127.0.0.1, following protocols.md §3.3:
 * `POST {base}/chat/completions` under `/v1`, `/compatible-mode/v1` and `/api/paas/v4`, Bearer
 * auth with a JSON 401, and SSE streams shaped like the vendors' (text, four tool-call chunking
 * styles, reasoning, keep-alive comments, errors, stalls, drops, byte-split writes).
 *
 * What a request gets: the next script queued with `enqueue()`, or else the mode named by the
 * request's `model` (e.g. model 'tools-parallel'), or else plain text. Every request is recorded,
 * with a promise that settles when its connection closes.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setImmediate as nextTick, setTimeout as sleep } from 'node:timers/promises';

export const FAKE_API_KEY = 'sk-fake-0123456789abcdef';
export const FAKE_BASE_PATHS = ['/v1', '/compatible-mode/v1', '/api/paas/v4'] as const;

export const MODES = [
  'text', // role delta, content pieces, empty delta with finish_reason stop, usage chunk, [DONE]
  'reasoning', // reasoning_content pieces, then content pieces (DeepSeek / Qwen / Kimi thinking)
  'keep-alive', // ': keep-alive' comments before the first chunk (DeepSeek while queued)
  'tools-fragmented', // (a) OpenAI: id+name first, then argument fragments by index
  'tools-whole', // (b) the whole call in one delta
  'tools-repeated-id', // (c) the id repeated on every delta
  'tools-fresh-id', // Kimi as reported: a fresh id on every delta of the same index
  'tools-parallel', // (d) two calls, index 0 and 1
  'stream-error', // text, then data: {"error":{...}}
  'event-error', // text, then event: error
  'error-first', // data: {"error":{...}} before any content
  'after-done', // text, [DONE], then more events that must be ignored
  'rate-limited', // 429 with Retry-After
  'server-error', // 500
  'stall', // a few pieces, then silence with the connection open
  'drop', // a few pieces, then the connection is destroyed
  'drop-first', // headers, then the connection is destroyed before any chunk
  'hang', // never answers (no headers)
  'keep-alive-only', // headers, then only keep-alive comments, forever
  'slow', // a piece every `intervalMs`, for a long time
  'insufficient-resource', // DeepSeek finish_reason insufficient_system_resource
] as const;

export type Mode = (typeof MODES)[number];

export interface Script {
  mode: Mode | 'status';
  /** Content pieces for the text-like modes. */
  pieces?: string[];
  /** Write every event in pieces of this many bytes, one write (one HTTP chunk) each. */
  splitBytes?: number;
  /** Line ending of the SSE framing. */
  lineEnding?: '\n' | '\r\n';
  /** 'status' mode: the status, body and headers to answer with. */
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** 'rate-limited': the Retry-After header (seconds). */
  retryAfter?: string;
  /** 'slow' and 'keep-alive-only': the pause between writes. */
  intervalMs?: number;
  /** A pause between `data: [DONE]` and the end of the body (as behind some proxies). */
  endDelayMs?: number;
}

export interface RecordedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** Which TCP connection carried it (1, 2...), to see keep-alive reuse. */
  connection: number;
  /** Settles when the client's connection closes. */
  closed: Promise<void>;
}

const TOOL_ARGUMENTS = '{"city":"北京","unit":"celsius"}';
const DEFAULT_PIECES = ['Hello', ', ', 'world', '!'];

export class FakeOpenAiServer {
  /** Requests seen, in order. */
  readonly requests: RecordedRequest[] = [];
  /** The key it accepts; undefined accepts anything, including no Authorization (Ollama, vLLM). */
  apiKey: string | undefined = FAKE_API_KEY;
  private readonly queue: Script[] = [];
  private readonly connections = new WeakMap<Socket, { id: number; closed: Promise<void> }>();
  private connectionCount = 0;

  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<FakeOpenAiServer> {
    const server = http.createServer({ noDelay: true });
    const fake = new FakeOpenAiServer(server);
    server.on('request', (req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** `http://127.0.0.1:<port>`. */
  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A base URL under one of the mounts. */
  baseUrl(path: (typeof FAKE_BASE_PATHS)[number] = '/v1'): string {
    return this.origin + path;
  }

  /** Scripts for the next requests, in order. */
  enqueue(...scripts: Script[]): void {
    this.queue.push(...scripts);
  }

  /** Closes kept-alive connections that carry no request (the client's pool, not a leak). */
  closeIdleConnections(): void {
    this.server.closeIdleConnections();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const connection = this.connectionOf(req.socket);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      return sendJson(res, 400, { error: { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error', param: null, code: null } });
    }
    this.requests.push({ path, headers: req.headers, body, connection: connection.id, closed: connection.closed });

    if (req.method !== 'POST' || !FAKE_BASE_PATHS.some((base) => path === `${base}/chat/completions`)) {
      return sendJson(res, 404, { error: { message: `Invalid URL (${req.method} ${path})`, type: 'invalid_request_error', param: null, code: null } });
    }
    if (this.apiKey !== undefined) {
      const auth = req.headers.authorization;
      if (auth === undefined) {
        return sendJson(res, 401, { error: { message: "You didn't provide an API key.", type: 'invalid_request_error', param: null, code: null } });
      }
      if (auth !== `Bearer ${this.apiKey}`) {
        // Real vendors echo (part of) the key; echo all of it to prove the client redacts it.
        return sendJson(res, 401, {
          error: { message: `Incorrect API key provided: ${auth.replace(/^Bearer /, '')}.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
        });
      }
    }
    const model = typeof body.model === 'string' ? body.model : '';
    const script = this.queue.shift() ?? { mode: (MODES as readonly string[]).includes(model) ? (model as Mode) : 'text' };
    const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    await new Stream(res, script, model, includeUsage).play();
  }

  private connectionOf(socket: Socket): { id: number; closed: Promise<void> } {
    let connection = this.connections.get(socket);
    if (!connection) {
      connection = { id: ++this.connectionCount, closed: new Promise((resolve) => socket.once('close', () => resolve())) };
      this.connections.set(socket, connection);
    }
    return connection;
  }
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** One streamed answer. */
class Stream {
  private readonly eol: string;
  private closed = false;

  constructor(
    private readonly res: http.ServerResponse,
    private readonly script: Script,
    private readonly model: string,
    private readonly includeUsage: boolean,
  ) {
    this.eol = script.lineEnding ?? '\n';
    res.on('close', () => (this.closed = true));
  }

  async play(): Promise<void> {
    const { script, res } = this;
    const pieces = script.pieces ?? DEFAULT_PIECES;
    switch (script.mode) {
      case 'status':
        return sendJson(res, script.status ?? 500, script.body ?? {}, script.headers);
      case 'rate-limited':
        return sendJson(
          res,
          429,
          { error: { message: 'Rate limit reached for requests. Please try again in 1s.', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
          { 'retry-after': script.retryAfter ?? '1' },
        );
      case 'server-error':
        return sendJson(res, 500, { error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } });
      case 'hang':
        return; // the socket stays open until the client gives up
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.flushHeaders();
    switch (script.mode) {
      case 'text':
        return this.text(pieces);
      case 'keep-alive':
        for (let i = 0; i < 3; i++) await this.write(`: keep-alive${this.eol}${this.eol}`);
        return this.text(pieces);
      case 'reasoning':
        await this.chunk({ role: 'assistant', content: null, reasoning_content: '' });
        for (const thought of ['用户', '在打招呼，', '我应该回应。']) await this.chunk({ content: null, reasoning_content: thought });
        for (const piece of pieces) await this.chunk({ content: piece, reasoning_content: null });
        return this.finish('stop');
      case 'tools-fragmented':
        await this.toolCall(0, 'call_frag0', 'get_weather', TOOL_ARGUMENTS);
        return this.finish('tool_calls');
      case 'tools-whole':
        await this.chunk({
          role: 'assistant',
          content: '',
          tool_calls: [{ index: 0, id: 'call_whole0', type: 'function', function: { name: 'get_weather', arguments: TOOL_ARGUMENTS } }],
        });
        return this.finish('tool_calls');
      case 'tools-repeated-id':
        await this.chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_rep0', type: 'function', function: { name: 'get_weather', arguments: '' } }] });
        for (const fragment of fragments(TOOL_ARGUMENTS)) {
          await this.chunk({ tool_calls: [{ index: 0, id: 'call_rep0', type: 'function', function: { arguments: fragment } }] });
        }
        return this.finish('tool_calls');
      case 'tools-fresh-id': {
        let n = 0;
        await this.chunk({ role: 'assistant', content: '', tool_calls: [{ index: 0, id: `get_weather:${n++}`, type: 'function', function: { name: 'get_weather', arguments: '' } }] });
        for (const fragment of fragments(TOOL_ARGUMENTS)) {
          await this.chunk({ tool_calls: [{ index: 0, id: `get_weather:${n++}`, type: 'function', function: { arguments: fragment } }] });
        }
        return this.finish('tool_calls');
      }
      case 'tools-parallel':
        await this.toolCall(0, 'call_par0', 'get_weather', TOOL_ARGUMENTS);
        await this.toolCall(1, 'call_par1', 'get_time', '{"timezone":"Asia/Shanghai"}', false);
        return this.finish('tool_calls');
      case 'stream-error':
        await this.chunk({ role: 'assistant', content: '' });
        for (const piece of pieces.slice(0, 2)) await this.chunk({ content: piece });
        await this.event(`data: ${JSON.stringify({ error: { message: 'The model is overloaded.', type: 'server_error', code: 'overloaded' } })}`);
        return this.end();
      case 'event-error':
        await this.chunk({ role: 'assistant', content: '' });
        await this.chunk({ content: pieces[0] });
        await this.event(`event: error${this.eol}data: ${JSON.stringify({ error: { message: 'Internal inference failure.', type: 'server_error', code: 'inference_error' } })}`);
        return this.end();
      case 'error-first':
        await this.event(`data: ${JSON.stringify({ error: { message: 'Upstream temporarily unavailable.', type: 'server_error', code: 'upstream_error' } })}`);
        return this.end();
      case 'after-done':
        await this.text(pieces, false);
        await this.chunk({ content: 'IGNORED' });
        await this.event('data: [DONE]');
        return this.end();
      case 'stall':
        await this.chunk({ role: 'assistant', content: '' });
        for (const piece of pieces.slice(0, 2)) await this.chunk({ content: piece });
        return; // open and silent
      case 'drop':
        await this.chunk({ role: 'assistant', content: '' });
        for (const piece of pieces.slice(0, 2)) await this.chunk({ content: piece });
        await sleep(20);
        res.socket?.destroy();
        return;
      case 'drop-first':
        await sleep(20);
        res.socket?.destroy();
        return;
      case 'keep-alive-only':
        while (!this.closed) {
          await this.write(`: keep-alive${this.eol}${this.eol}`);
          await sleep(script.intervalMs ?? 50);
        }
        return;
      case 'slow':
        await this.chunk({ role: 'assistant', content: '' });
        for (let i = 0; i < 10000 && !this.closed; i++) {
          await this.chunk({ content: `w${i} ` });
          await sleep(script.intervalMs ?? 20);
        }
        return this.finish('stop');
      case 'insufficient-resource':
        await this.chunk({ role: 'assistant', content: '' });
        await this.chunk({ content: pieces[0] });
        return this.finish('insufficient_system_resource');
    }
  }

  private async text(pieces: string[], end = true): Promise<void> {
    await this.chunk({ role: 'assistant', content: '' });
    for (const piece of pieces) await this.chunk({ content: piece });
    await this.finish('stop', end);
  }

  // OpenAI's order: the first delta carries id, type, name and empty arguments; the arguments
  // follow in fragments carrying only the index.
  private async toolCall(index: number, id: string, name: string, args: string, first = true): Promise<void> {
    await this.chunk({
      ...(first ? { role: 'assistant', content: null } : {}),
      tool_calls: [{ index, id, type: 'function', function: { name, arguments: '' } }],
    });
    for (const fragment of fragments(args)) await this.chunk({ tool_calls: [{ index, function: { arguments: fragment } }] });
  }

  private async finish(reason: string, end = true): Promise<void> {
    await this.chunk({}, reason);
    if (this.includeUsage) {
      await this.data({ ...this.envelope(), choices: [], usage: { prompt_tokens: 17, completion_tokens: 9, total_tokens: 26 } });
    }
    await this.event('data: [DONE]');
    if (!end) return;
    if (this.script.endDelayMs) await sleep(this.script.endDelayMs);
    this.end();
  }

  private chunk(delta: Record<string, unknown>, finishReason: string | null = null): Promise<void> {
    return this.data({
      ...this.envelope(),
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(this.includeUsage ? { usage: null } : {}),
    });
  }

  private envelope() {
    return { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1710000000, model: this.model, system_fingerprint: 'fp_fake' };
  }

  private data(payload: unknown): Promise<void> {
    return this.event(`data: ${JSON.stringify(payload)}`);
  }

  private event(text: string): Promise<void> {
    return this.write(`${text}${this.eol}${this.eol}`);
  }

  private async write(text: string): Promise<void> {
    if (this.closed) return;
    const size = this.script.splitBytes;
    if (size === undefined) {
      this.res.write(text);
      return;
    }
    const bytes = Buffer.from(text, 'utf8');
    for (let at = 0; at < bytes.length && !this.closed; at += size) {
      this.res.write(bytes.subarray(at, at + size));
      await nextTick(); // separate writes reach the client as separate reads, most of the time
    }
  }

  private end(): void {
    if (!this.closed) this.res.end();
  }
}

// Arguments in the small pieces OpenAI streams them in.
function fragments(args: string): string[] {
  const out: string[] = [];
  for (let at = 0; at < args.length; at += 5) out.push(args.slice(at, at + 5));
  return out;
}
