/**
 * Metrics on a prom-client registry of this server's own (not the global one, so several servers
 * in one process, as in tests, do not collide). Asking again for a name returns the same metric;
 * asking for it with another type is an error.
 */
import client from 'prom-client';
import type { Counter, Gauge, Histogram, HistogramOptions, Labels, MetricOptions, Metrics } from '@vapi-cn/sdk-plugin-api';
import { VapiError } from '@vapi-cn/sdk-plugin-api';

type Kind = 'counter' | 'gauge' | 'histogram';

export class PromMetrics implements Metrics {
  readonly registry = new client.Registry();
  private readonly metrics = new Map<string, { kind: Kind; handle: Counter | Gauge | Histogram }>();

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) client.collectDefaultMetrics({ register: this.registry });
  }

  counter(options: MetricOptions): Counter {
    return this.get('counter', options, () => {
      const metric = new client.Counter({ ...this.base(options) });
      return { inc: (labels?: Labels, value = 1) => (labels ? metric.inc(labels, value) : metric.inc(value)) };
    }) as Counter;
  }

  gauge(options: MetricOptions): Gauge {
    return this.get('gauge', options, () => {
      const metric = new client.Gauge({ ...this.base(options) });
      return {
        set: (value: number, labels?: Labels) => (labels ? metric.set(labels, value) : metric.set(value)),
        inc: (labels?: Labels, value = 1) => (labels ? metric.inc(labels, value) : metric.inc(value)),
        dec: (labels?: Labels, value = 1) => (labels ? metric.dec(labels, value) : metric.dec(value)),
      };
    }) as Gauge;
  }

  histogram(options: HistogramOptions): Histogram {
    return this.get('histogram', options, () => {
      const metric = new client.Histogram({ ...this.base(options), ...(options.buckets ? { buckets: [...options.buckets] } : {}) });
      return { observe: (value: number, labels?: Labels) => (labels ? metric.observe(labels, value) : metric.observe(value)) };
    }) as Histogram;
  }

  /** Prometheus text exposition. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private base(options: MetricOptions) {
    return { name: options.name, help: options.help, labelNames: [...(options.labelNames ?? [])], registers: [this.registry] };
  }

  private get(kind: Kind, options: MetricOptions, create: () => Counter | Gauge | Histogram) {
    const existing = this.metrics.get(options.name);
    if (existing) {
      if (existing.kind !== kind) {
        throw new VapiError(`metric ${options.name} is already registered as a ${existing.kind}`, {
          code: 'VAPI_ERR_METRICS_CONFLICT',
          category: 'invalid_request',
          fix: 'use a different metric name',
        });
      }
      return existing.handle;
    }
    const handle = create();
    this.metrics.set(options.name, { kind, handle });
    return handle;
  }
}
