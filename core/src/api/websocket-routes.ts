/**
 * WebSocket routes on the HTTP server's port: upgrades are matched against registered paths
 * (with `:name` parameters), authenticated like HTTP routes, then handed to the plugin's handler.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Logger, WebSocketHandler, WebSocketRouteOptions } from '@vapi-cn/sdk-plugin-api';
import { VapiError, isVapiError } from '@vapi-cn/sdk-plugin-api';
import type { ApiKeyAuth } from './api-key-auth.js';
import { errorReply } from './error-reply.js';

interface WebSocketRoute {
  path: string;
  pattern: RegExp;
  paramNames: string[];
  handler: WebSocketHandler;
  server: WebSocketServer;
  auth: 'apiKey' | 'none';
  owner: string;
}

const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

export class WebSocketRoutes {
  private readonly routes: WebSocketRoute[] = [];

  constructor(private readonly auth: ApiKeyAuth, private readonly log: Logger) {}

  add(path: string, handler: WebSocketHandler, options: WebSocketRouteOptions, owner: string): void {
    const existing = this.routes.find((r) => r.path === path);
    if (existing) {
      throw new VapiError(`WebSocket path ${path} is already taken by '${existing.owner}'`, {
        code: 'VAPI_ERR_HTTP_ROUTE_CONFLICT',
        category: 'invalid_request',
        fix: 'disable one of the two plugins, or configure a different path',
      });
    }
    const paramNames: string[] = [];
    const source = path
      .split('/')
      .map((segment) => {
        if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        paramNames.push(segment.slice(1));
        return '([^/]+)';
      })
      .join('/');
    this.routes.push({
      path,
      pattern: new RegExp(`^${source}/?$`),
      paramNames,
      handler,
      server: new WebSocketServer({ noServer: true, maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD }),
      auth: options.auth ?? 'apiKey',
      owner,
    });
  }

  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.upgrade(request, socket, head);
    });
  }

  /** Closes every open WebSocket (going away) and the route servers. */
  close(): void {
    for (const route of this.routes) {
      for (const client of route.server.clients) client.close(1001, 'server shutting down');
      route.server.close();
    }
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const url = new URL(request.url ?? '/', 'http://localhost');
    let match: RegExpExecArray | null = null;
    const route = this.routes.find((r) => (match = r.pattern.exec(url.pathname)) !== null);
    if (!route || !match) return reject(socket, 404, { error: { code: 'VAPI_ERR_HTTP_NOT_FOUND', category: 'invalid_request', message: `no WebSocket route at ${url.pathname}` } });
    const query = Object.fromEntries(url.searchParams);
    if (route.auth === 'apiKey') {
      try {
        await this.auth.check(request.headers, query);
      } catch (error) {
        const reply = errorReply(error);
        return reject(socket, reply.status, reply.body);
      }
    }
    const found = match as RegExpExecArray;
    const params = Object.fromEntries(route.paramNames.map((name, i) => [name, decodeURIComponent(found[i + 1]!)]));
    route.server.handleUpgrade(request, socket, head, (ws) => {
      try {
        route.handler(ws, { params, query, headers: request.headers, log: this.log.child({ ws: route.path }) });
      } catch (error) {
        this.log.error({ err: error, path: route.path }, 'WebSocket handler threw');
        ws.close(1011, isVapiError(error) ? error.code : 'internal error');
      }
    });
  }
}

function reject(socket: Duplex, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : status === 401 ? 'Unauthorized' : 'Error'}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}
