/** Liveness, readiness and Prometheus metrics. None needs an API key. */
import type { HttpServer } from '../http-server.js';
import type { PromMetrics } from '../../metrics/prom-metrics.js';

export interface Readiness {
  /** `starting`, `ready`, `draining` or `stopped`. */
  phase(): string;
  plugins(): string[];
  pingStore(): Promise<void>;
}

export function addHealthRoutes(http: HttpServer, readiness: Readiness, metrics: PromMetrics): void {
  http.addRoute(
    {
      method: 'GET',
      url: '/health',
      auth: 'none',
      summary: 'Liveness: the process is up and serving HTTP',
      tags: ['health'],
      handler: () => ({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) }),
    },
    'core',
  );
  http.addRoute(
    {
      method: 'GET',
      url: '/ready',
      auth: 'none',
      summary: 'Readiness: every plugin started and the store reachable (503 otherwise, and while draining)',
      tags: ['health'],
      handler: async (_request, reply) => {
        const phase = readiness.phase();
        let store = 'ok';
        try {
          await readiness.pingStore();
        } catch {
          store = 'unreachable';
        }
        const ready = phase === 'ready' && store === 'ok';
        reply.status(ready ? 200 : 503);
        return { status: ready ? 'ready' : 'not-ready', phase, store, plugins: readiness.plugins() };
      },
    },
    'core',
  );
  http.addRoute(
    {
      method: 'GET',
      url: '/metrics',
      auth: 'none',
      summary: 'Prometheus metrics',
      tags: ['health'],
      handler: async (_request, reply) => {
        const { contentType, body } = await metrics.render();
        reply.type(contentType);
        return body;
      },
    },
    'core',
  );
}
