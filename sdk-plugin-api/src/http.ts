/**
 * HTTP and WebSocket routes on the server's port, without depending on the server's framework.
 * The request and reply types are the subset of fastify's that plugins may rely on.
 */
import type { Logger } from './logger.js';

export type JsonSchema = Record<string, unknown>;

export interface HttpRequest {
  readonly params: unknown;
  readonly query: unknown;
  readonly body: unknown;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly ip: string;
  readonly url: string;
  /** Request-scoped logger. */
  readonly log: Logger;
}

export interface HttpReply {
  status(code: number): HttpReply;
  header(name: string, value: string): HttpReply;
  type(contentType: string): HttpReply;
}

/** Who may call a route: `apiKey` (default) needs `Authorization: Bearer <key>` or `?api_key=`. */
export type RouteAuth = 'apiKey' | 'none';

export interface RouteDefinition {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path with `:name` parameters, e.g. `/v1/assistants/:id`. */
  url: string;
  auth?: RouteAuth;
  /** Shown in the OpenAPI document at /docs. */
  summary?: string;
  tags?: string[];
  /** JSON schemas; requests that fail them get a 400 before the handler runs. */
  schema?: {
    params?: JsonSchema;
    querystring?: JsonSchema;
    body?: JsonSchema;
    response?: Record<number, JsonSchema>;
  };
  /**
   * Return the response body (serialised as JSON). Throw a VapiError to answer with an error:
   * its category picks the status (auth 401, invalid_request/bad_input 400, rate_limit 429,
   * timeout 504, connectivity/server 502); `details.status` overrides it (e.g. 404).
   */
  handler(request: HttpRequest, reply: HttpReply): unknown;
}

/** The part of a `ws` WebSocket that plugins use. */
export interface WebSocketConnection {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string | Uint8Array, callback?: (error?: Error) => void): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  ping(data?: Uint8Array): void;
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): this;
  on(event: 'close', listener: (code: number, reason: Buffer) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'pong', listener: () => void): this;
  off(event: string, listener: (...args: never[]) => void): this;
}

export interface WebSocketRouteOptions {
  auth?: RouteAuth;
  /** Largest accepted message in bytes; bigger ones close the socket with 1009. Default 1 MiB. */
  maxPayload?: number;
}

export type WebSocketHandler = (
  socket: WebSocketConnection,
  request: { readonly params: Record<string, string>; readonly query: Record<string, string>; readonly headers: Record<string, string | string[] | undefined>; readonly log: Logger },
) => void;

export interface HttpRoutes {
  route(definition: RouteDefinition): void;
  /** Accepts WebSocket upgrades on `path` (with `:name` parameters). */
  websocket(path: string, handler: WebSocketHandler, options?: WebSocketRouteOptions): void;
  /** The port the server listens on (0 before it listens): the real one when configured as 0. */
  port(): number;
}
