/**
 * Prometheus metrics, served at /metrics. Asking twice for the same name returns the same metric,
 * so plugins may declare their metrics in setup() without coordinating. Name metrics
 * `vapi_<plugin>_<what>_<unit>` (e.g. `vapi_stt_final_seconds`). Label values must be bounded:
 * never a call id or a phone number.
 */
export type Labels = Record<string, string | number>;

export interface MetricOptions {
  name: string;
  help: string;
  labelNames?: readonly string[];
}

export interface HistogramOptions extends MetricOptions {
  /** Upper bounds of the buckets; seconds for latencies. */
  buckets?: readonly number[];
}

export interface Counter {
  inc(labels?: Labels, value?: number): void;
}

export interface Gauge {
  set(value: number, labels?: Labels): void;
  inc(labels?: Labels, value?: number): void;
  dec(labels?: Labels, value?: number): void;
}

export interface Histogram {
  observe(value: number, labels?: Labels): void;
}

export interface Metrics {
  counter(options: MetricOptions): Counter;
  gauge(options: MetricOptions): Gauge;
  histogram(options: HistogramOptions): Histogram;
}
