/**
 * The kernel: from a boot plan to a running server and back. Start: core services (logger,
 * metrics, clock, store, bus, HTTP, calls) → every plugin's setup() in dependency order → every
 * start() → listen. Stop: refuse new calls and drain active ones → close HTTP → every stop() in
 * reverse → close bus and store. A failure while starting undoes what was started.
 */
import type { DestinationStream, Logger as PinoLogger } from 'pino';
import {
  coreRefs,
  isVapiError,
  VapiError,
  type Bus,
  type Clock,
  type Logger,
  type Ref,
  type Store,
} from '@vapi-cn/sdk-plugin-api';
import { HttpServer } from '../api/http-server.js';
import { addHealthRoutes } from '../api/routes/health-routes.js';
import { addCallControlRoutes } from '../api/routes/call-control-routes.js';
import { addPhoneNumberRoutes } from '../api/routes/phone-number-routes.js';
import { addRestRoutes } from '../api/routes/rest-routes.js';
import { openBus } from '../bus/open-bus.js';
import { AssistantDirectory } from '../call/assistant-directory.js';
import { CallEngine } from '../call/call-engine.js';
import { CallControl } from '../call/call-control.js';
import { CallManagerImpl } from '../call/call-manager.js';
import { SystemClock } from '@vapi-cn/sdk-plugin-api';
import { RefContainer } from '../container/ref-container.js';
import { createLogger } from '../logging/create-logger.js';
import { PromMetrics } from '../metrics/prom-metrics.js';
import { NumberRouterImpl } from '../routing/number-router.js';
import { openStore } from '../store/open-store.js';
import type { BootPlan, PlannedPlugin } from './boot-plan.js';
import { createPluginContext, type PluginContextHandle } from './plugin-context.js';
import { withTimeout } from './with-timeout.js';
import { consoleUrlWithKey, createFirstStartKey } from './first-start-key.js';

export type KernelPhase = 'starting' | 'ready' | 'draining' | 'stopped';

export interface KernelOptions {
  /** Where log lines go (stdout by default). */
  logDestination?: DestinationStream;
  logger?: PinoLogger;
  clock?: Clock;
  /** Collect process metrics (off in tests that start many kernels). */
  defaultMetrics?: boolean;
}

interface Running {
  planned: PlannedPlugin;
  handle: PluginContextHandle;
  state: unknown;
  started: boolean;
}

export class Kernel {
  private currentPhase: KernelPhase = 'starting';
  private readonly running: Running[] = [];
  private stopping?: Promise<void>;
  private store?: Store;
  private bus?: Bus;
  private http?: HttpServer;
  private listening = false;
  readonly container = new RefContainer();
  readonly log: PinoLogger;
  readonly metrics: PromMetrics;
  readonly clock: Clock;
  calls!: CallManagerImpl;
  engine!: CallEngine;
  numberRouter?: NumberRouterImpl;
  callControl?: CallControl;

  private constructor(readonly plan: BootPlan, options: KernelOptions) {
    this.log = options.logger ?? createLogger({ level: plan.config.server.log.level, ...(options.logDestination ? { destination: options.logDestination } : {}) });
    this.metrics = new PromMetrics({ defaultMetrics: options.defaultMetrics ?? true });
    this.clock = options.clock ?? new SystemClock();
  }

  /** Starts a server from a plan; on failure everything started is stopped and the error rethrown. */
  static async start(plan: BootPlan, options: KernelOptions = {}): Promise<Kernel> {
    const kernel = new Kernel(plan, options);
    try {
      await kernel.boot();
    } catch (error) {
      kernel.log.error({ err: error }, 'start failed; stopping what was started');
      await kernel.stop('start-failed');
      throw error;
    }
    return kernel;
  }

  get phase(): KernelPhase {
    return this.currentPhase;
  }

  /** The base URL the HTTP server listens on. */
  get url(): string {
    return `http://${this.plan.config.server.server.host}:${this.http?.port() ?? 0}`;
  }

  get port(): number {
    return this.http?.port() ?? 0;
  }

  resolve<T>(ref: Ref<T>): T {
    return this.container.resolve(ref);
  }

  /** Optional plugins whose setup failed: the server runs without them. */
  readonly skipped: string[] = [];

  /**
   * The console URL carrying the API key created on this first start (`auth.firstStartKey`), for
   * the CLI to print once on stdout; undefined on any other start. Never logged.
   */
  firstStartUrl: string | undefined;

  /** Assistants from the config file that the store does not have yet (a running edit is kept). */
  private async seedAssistants(store: Store): Promise<void> {
    for (const seed of this.plan.config.assistants ?? []) {
      if (await store.assistants.get(seed.id)) continue;
      await store.assistants.create({ id: seed.id, name: seed.name, config: seed.config });
      this.log.info({ assistantId: seed.id }, 'assistant created from the config file');
    }
  }

  /** Config routes to an assistant the store does not have: calls to them would fail. */
  private async warnAboutRoutedAssistants(store: Store): Promise<void> {
    const missing = new Set<string>();
    for (const { assistantId } of this.plan.config.numbers ?? []) {
      if (!missing.has(assistantId) && !(await store.assistants.get(assistantId))) missing.add(assistantId);
    }
    for (const assistantId of missing) {
      this.log.warn({ assistantId, fix: 'create it (POST /v1/assistants or `assistants:` in the config file), or change the route' }, 'numbers: routes calls to an assistant that does not exist');
    }
  }

  private async boot(): Promise<void> {
    const began = performance.now();
    const { server } = this.plan.config;
    const store: Store = (this.store = await openStore(server.store, this.log.child({ component: 'store' })));
    const bus: Bus = (this.bus = await openBus(server.bus, this.log.child({ component: 'bus' })));
    const http = (this.http = await HttpServer.create({ log: this.log, store, authEnabled: server.auth.enabled }));
    this.calls = new CallManagerImpl({ container: this.container, store, bus, log: this.log, metrics: this.metrics });
    const numberRouter = (this.numberRouter = new NumberRouterImpl({
      store,
      bus,
      clock: this.clock,
      log: this.log.child({ component: 'numbers' }) as unknown as Logger,
      configRoutes: this.plan.config.numbers ?? [],
    }));
    const callControl = (this.callControl = new CallControl({
      container: this.container,
      calls: this.calls,
      store,
      bus,
      clock: this.clock,
      log: this.log.child({ component: 'calls' }) as unknown as Logger,
      // The engine exists once the transports have started, before the server listens.
      accept: (transport, leg, incoming) => this.engine.accept(transport, leg, incoming),
    }));

    const core = this.container;
    core.provide(coreRefs.logger, this.log as unknown as Logger, 'core');
    core.provide(coreRefs.config, server, 'core');
    core.provide(coreRefs.metrics, this.metrics, 'core');
    core.provide(coreRefs.store, store, 'core');
    core.provide(coreRefs.bus, bus, 'core');
    core.provide(coreRefs.clock, this.clock, 'core');
    core.provide(coreRefs.http, http.routesFor('core'), 'core');
    core.provide(coreRefs.calls, this.calls, 'core');
    core.provide(coreRefs.numberRouter, numberRouter, 'core');

    addHealthRoutes(
      http,
      { phase: () => this.currentPhase, plugins: () => this.running.filter((r) => r.started).map((r) => r.planned.id), pingStore: () => store.ping() },
      this.metrics,
    );
    addRestRoutes(http, store);
    addPhoneNumberRoutes(http, store, numberRouter);
    addCallControlRoutes(http, () => callControl);
    await this.seedAssistants(store);
    await this.warnAboutRoutedAssistants(store);
    await numberRouter.start();
    await callControl.start();

    const phaseSeconds = this.metrics.histogram({
      name: 'vapi_kernel_plugin_phase_seconds',
      help: 'Time each plugin took to set up, start and stop',
      labelNames: ['plugin', 'phase'],
      buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 15],
    });

    const views = new Map([[coreRefs.http.token, (pluginId: string) => http.routesFor(pluginId)]]);
    for (const planned of this.plan.plugins) {
      const handle = createPluginContext(planned, this.container, this.log, server.baseDir, views);
      const began = performance.now();
      let state: unknown;
      try {
        state = await withTimeout(() => planned.plugin.setup(handle.context, planned.options), planned.timeouts.setupMs, { plugin: planned.id, phase: 'setup' });
      } catch (error) {
        if (!planned.optional || handle.providedAny()) throw error;
        this.skipped.push(planned.id);
        this.log.warn({ plugin: planned.id, err: error, fix: isVapiError(error) ? error.fix : undefined }, 'optional plugin could not be set up: starting without it');
        continue;
      }
      phaseSeconds.observe((performance.now() - began) / 1000, { plugin: planned.id, phase: 'setup' });
      const missing = handle.unprovided();
      if (missing.length > 0) {
        throw new VapiError(`plugin '${planned.id}' declares that it provides ${missing.map((r) => `'${r.id}'`).join(', ')} but setup() did not provide it`, {
          code: 'VAPI_ERR_PLUGIN_UNPROVIDED',
          category: 'invalid_request',
          fix: 'the plugin author must call ctx.provide() for every ref in `provides` (check its options too)',
        });
      }
      this.running.push({ planned, handle, state, started: false });
    }
    for (const entry of this.running) {
      const began = performance.now();
      await withTimeout(() => entry.planned.plugin.start?.(entry.handle.context, entry.state), entry.planned.timeouts.startMs, { plugin: entry.planned.id, phase: 'start' });
      phaseSeconds.observe((performance.now() - began) / 1000, { plugin: entry.planned.id, phase: 'start' });
      entry.started = true;
      this.log.info({ plugin: entry.planned.id, version: entry.planned.plugin.version, origin: entry.planned.origin }, 'plugin started');
    }

    // Transports are started: from here every leg they announce becomes a conversation.
    this.engine = new CallEngine({
      container: this.container,
      calls: this.calls,
      assistants: new AssistantDirectory(store),
      clock: this.clock,
      metrics: this.metrics,
    });
    this.engine.attach();

    await http.listen(server.server.host, server.server.port);
    this.listening = true;
    // After listen: the URL needs the port, and a key made before a failed start would never be shown.
    if (this.plan.config.firstStartKey && server.auth.enabled) {
      const created = await createFirstStartKey(store);
      if (created) {
        this.firstStartUrl = consoleUrlWithKey(server.server.host, http.port(), created.key);
        this.log.info({ apiKeyId: created.id }, 'first start: created an API key for the console (its URL is printed on stdout, never logged)');
      }
    }
    this.currentPhase = 'ready';
    this.metrics.gauge({ name: 'vapi_kernel_plugins', help: 'Plugins running' }).set(this.running.length);
    this.metrics.gauge({ name: 'vapi_kernel_start_seconds', help: 'Time from boot to ready' }).set((performance.now() - began) / 1000);
    this.log.info({ url: this.url, plugins: this.running.map((r) => r.planned.id), store: store.driver, bus: bus.driver }, 'server ready');
  }

  /**
   * Drains calls (up to server.drainTimeoutMs), closes HTTP, stops plugins in reverse, closes the
   * bus and the store. Idempotent: later calls wait for the first.
   */
  stop(reason = 'shutdown'): Promise<void> {
    this.stopping ??= this.shutdown(reason);
    return this.stopping;
  }

  private async shutdown(reason: string): Promise<void> {
    this.currentPhase = 'draining';
    this.log.info({ reason }, 'stopping');
    if (this.calls) {
      const forced = await this.calls.drain(this.plan.config.server.server.drainTimeoutMs);
      if (forced > 0) this.log.warn({ calls: forced }, 'drain timeout: remaining calls were ended');
    }
    if (this.http) await this.closeQuietly('http', () => this.http!.close());
    for (const entry of [...this.running].reverse()) {
      if (!entry.started) continue;
      await this.closeQuietly(entry.planned.id, () =>
        withTimeout(() => entry.planned.plugin.stop?.(entry.handle.context, entry.state), entry.planned.timeouts.stopMs, { plugin: entry.planned.id, phase: 'stop' }),
      );
    }
    if (this.callControl) await this.closeQuietly('calls', () => this.callControl!.close());
    if (this.numberRouter) await this.closeQuietly('numbers', () => this.numberRouter!.close());
    if (this.bus) await this.closeQuietly('bus', () => this.bus!.close());
    if (this.store) await this.closeQuietly('store', () => this.store!.close());
    this.currentPhase = 'stopped';
    this.log.info({ reason, wasListening: this.listening }, 'stopped');
  }

  private async closeQuietly(what: string, close: () => Promise<unknown>): Promise<void> {
    try {
      await close();
    } catch (error) {
      this.log.error({ err: error, component: what, code: isVapiError(error) ? error.code : undefined }, 'error while stopping');
    }
  }
}
