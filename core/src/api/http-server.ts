/**
 * The server's HTTP side: fastify with API-key auth, error mapping, the OpenAPI document at /docs,
 * and the routes plugins contribute through `coreRefs.http`.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Logger as PinoLogger } from 'pino';
import { VapiError, SDK_API_VERSION, type HttpRoutes, type RouteDefinition, type Store } from '@vapi-cn/sdk-plugin-api';
import { ApiKeyAuth } from './api-key-auth.js';
import { errorReply } from './error-reply.js';
import { WebSocketRoutes } from './websocket-routes.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: 'apiKey' | 'none';
  }
}

export interface HttpServerOptions {
  log: PinoLogger;
  store: Store;
  authEnabled: boolean;
}

export class HttpServer {
  readonly app: FastifyInstance;
  private readonly websockets: WebSocketRoutes;

  private constructor(app: FastifyInstance, websockets: WebSocketRoutes) {
    this.app = app;
    this.websockets = websockets;
  }

  static async create(options: HttpServerOptions): Promise<HttpServer> {
    const app: FastifyInstance = Fastify({
      loggerInstance: options.log.child({ component: 'http' }) as FastifyBaseLogger,
      // One log line per request would drown the per-call logs; errors are logged by the handler.
      logController: new LogController({ disableRequestLogging: true }),
      // Keep connections from holding shutdown hostage.
      forceCloseConnections: 'idle',
      return503OnClosing: false,
    });
    const auth = new ApiKeyAuth(options.store, options.authEnabled);
    const websockets = new WebSocketRoutes(auth, options.log.child({ component: 'ws' }));
    websockets.attach(app.server);

    await app.register(swagger, {
      openapi: {
        info: { title: 'VAPI-CN API', version: SDK_API_VERSION, description: 'Voice-AI media server: calls, assistants and plugin routes' },
        components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });
    await app.register(fastifyPlugin(authHook(auth), { name: 'vapi-cn-auth' }));

    app.setErrorHandler((error, request, reply) => {
      const { status, body } = errorReply(error);
      if (status >= 500) request.log.error({ err: error, url: request.url }, 'request failed');
      void reply.status(status).send(body);
    });
    app.setNotFoundHandler((request, reply) => {
      void reply.status(404).send({ error: { code: 'VAPI_ERR_HTTP_NOT_FOUND', category: 'invalid_request', message: `no route ${request.method} ${request.url.split('?')[0]}` } });
    });
    return new HttpServer(app, websockets);
  }

  /** The route registrar handed to one plugin (routes are tagged with its id in /docs). */
  routesFor(owner: string): HttpRoutes {
    return {
      route: (definition) => this.addRoute(definition, owner),
      websocket: (path, handler, options = {}) => this.websockets.add(path, handler, options, owner),
      port: () => this.port(),
    };
  }

  addRoute(definition: RouteDefinition, owner: string): void {
    try {
      this.app.route({
        method: definition.method,
        url: definition.url,
        config: { auth: definition.auth ?? 'apiKey' },
        schema: {
          ...(definition.schema ?? {}),
          tags: definition.tags ?? [owner],
          ...(definition.summary ? { summary: definition.summary } : {}),
          ...((definition.auth ?? 'apiKey') === 'apiKey' ? { security: [{ apiKey: [] }] } : {}),
        },
        handler: async (request: FastifyRequest, reply: FastifyReply) => definition.handler(request, reply),
      });
    } catch (error) {
      throw new VapiError(`plugin '${owner}' cannot add route ${definition.method} ${definition.url}: ${(error as Error).message}`, {
        code: 'VAPI_ERR_HTTP_ROUTE_CONFLICT',
        category: 'invalid_request',
        cause: error,
        fix: 'disable one of the plugins that claim this route, or configure a different path',
      });
    }
  }

  async listen(host: string, port: number): Promise<string> {
    return this.app.listen({ host, port });
  }

  /** The port actually bound (useful with port 0). */
  port(): number {
    const address = this.app.server.listening ? this.app.server.address() : null;
    return typeof address === 'object' && address ? address.port : 0;
  }

  async close(): Promise<void> {
    this.websockets.close();
    await this.app.close();
  }
}

function authHook(auth: ApiKeyAuth) {
  return async (app: FastifyInstance) => {
    app.addHook('onRequest', async (request) => {
      // Unknown routes fall through to the 404 handler without asking for a key.
      if (!request.routeOptions.url) return;
      if ((request.routeOptions.config.auth ?? 'apiKey') === 'none') return;
      if (request.url.startsWith('/docs')) return;
      await auth.check(request.headers, request.query);
    });
  };
}
