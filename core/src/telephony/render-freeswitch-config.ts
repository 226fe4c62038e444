/**
 * `vapi-cn freeswitch render-config`: the FreeSWITCH side of the enabled carriers. Loads the
 * config, plans and sets up only the carrier plugins (nothing starts: no store, no HTTP), reads
 * the transport's hand-off mode from its options, renders every file in memory and writes them
 * only when all is well, so a bad carrier never leaves half a configuration behind.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { carrierRefs, VapiError, type Carrier, type Logger, type Registry } from '@vapi-cn/sdk-plugin-api';
import { loadConfigFile, type LoadedConfig } from '../config/load-config.js';
import { ConfigInvalidError } from '../config/problems.js';
import { RefContainer } from '../container/ref-container.js';
import { planBoot } from '../kernel/boot-plan.js';
import { createPluginContext } from '../kernel/plugin-context.js';
import { loadPlugin } from '../kernel/plugin-loader.js';
import { withTimeout } from '../kernel/with-timeout.js';
import { createLogger } from '../logging/create-logger.js';
import { GENERATED_MARK, RENDERED_PATHS, renderFreeswitchFiles, type HandOff } from './freeswitch-xml.js';

export const TRANSPORT_PLUGIN_ID = 'transport-freeswitch';
/** FreeSWITCH's own default port for the `socket` application. */
export const DEFAULT_SOCKET_PORT = 8084;

export interface RenderOptions {
  configFile: string;
  outDir: string;
  env?: Record<string, string | undefined>;
  /** Where plugin logs go (warnings only); stderr by default. */
  logger?: Logger;
}

export interface RenderResult {
  /** Written files, relative to outDir, in write order. */
  written: string[];
  /** Gateway files of carriers that are gone, removed because an earlier render had written them. */
  removed: string[];
  carriers: Carrier[];
  handOff: HandOff;
  /** Things the operator should know (no secrets). */
  notes: string[];
}

export async function renderFreeswitchConfig(options: RenderOptions): Promise<RenderResult> {
  const config = await loadConfigFile(options.configFile, options.env ? { env: options.env } : {});
  const notes: string[] = [];
  const handOff = handOffFrom(config, notes);
  const carriers = await setUpCarriers(config, options.logger);
  const files = renderFreeswitchFiles(carriers, handOff, path.basename(config.source));
  return { ...(await writeFiles(options.outDir, files)), carriers, handOff, notes };
}

/** Plans and sets up the enabled plugins that provide carriers (and reports carrier-looking ids that fail to load). */
async function setUpCarriers(config: LoadedConfig, logger?: Logger): Promise<Carrier[]> {
  const candidates = [];
  for (const entry of config.plugins) {
    const loaded = await loadPlugin(entry.id, entry.entry.from, { baseDir: config.server.baseDir });
    const isCarrier = 'plugin' in loaded ? (loaded.plugin.provides ?? []).some((ref) => ref.token === carrierRefs.carriers.token) : entry.id.startsWith('carrier-');
    if (isCarrier) candidates.push(entry);
  }
  const plan = await planBoot({ ...config, plugins: candidates });
  if (plan.plugins.length === 0) {
    throw new VapiError(`${config.source} enables no carrier plugin`, {
      code: 'VAPI_ERR_FREESWITCH_NO_CARRIERS',
      category: 'invalid_request',
      fix: 'enable one under plugins: carrier-sip-trunk, carrier-aliyun, carrier-tencent, carrier-ronglian or carrier-huawei-uap (see docs/telephony.md)',
    });
  }
  const log = logger ?? (createLogger({ level: 'warn', destination: process.stderr as never }) as unknown as Logger);
  const container = new RefContainer();
  for (const planned of plan.plugins) {
    const handle = createPluginContext(planned, container, log, config.server.baseDir);
    await withTimeout(() => planned.plugin.setup(handle.context, planned.options), planned.timeouts.setupMs, { plugin: planned.id, phase: 'setup' });
  }
  const registry = container.resolveAny(carrierRefs.carriers) as Registry<Carrier>;
  return registry.entries().map(([, carrier]) => carrier);
}

/** The transport's hand-off, read defensively from its raw options (it may not be installed where this runs). */
export function handOffFrom(config: LoadedConfig, notes: string[]): HandOff {
  const entry = config.plugins.find((p) => p.id === TRANSPORT_PLUGIN_ID);
  if (!entry) {
    notes.push(`${TRANSPORT_PLUGIN_ID} is not enabled in this config: inbound calls are parked for inbound ESL control`);
    return { mode: 'inbound' };
  }
  const options = isObject(entry.entry.options) ? entry.entry.options : {};
  const base = `plugins.${TRANSPORT_PLUGIN_ID}.options`;
  const mode = options.mode ?? 'inbound';
  if (mode !== 'inbound' && mode !== 'outbound') {
    throw new ConfigInvalidError(config.source, [{ code: 'VAPI_ERR_CONFIG_VALUE', path: `${base}.mode`, message: `must be one of: "inbound", "outbound", got ${JSON.stringify(mode)}`, fix: `set ${base}.mode to inbound (park + ESL) or outbound (socket)` }]);
  }
  if (mode === 'inbound') return { mode };
  const listen = isObject(options.outboundListen) ? options.outboundListen : {};
  let host = typeof listen.host === 'string' && listen.host.trim() ? listen.host.trim() : '127.0.0.1';
  const port = listen.port === undefined ? DEFAULT_SOCKET_PORT : Number(listen.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigInvalidError(config.source, [{ code: 'VAPI_ERR_CONFIG_VALUE', path: `${base}.outboundListen.port`, message: `must be a port (1-65535), got ${JSON.stringify(listen.port)}`, fix: `set ${base}.outboundListen.port to the port vapi-cn listens on for FreeSWITCH's socket connections` }]);
  }
  if (host === '0.0.0.0' || host === '::') {
    notes.push(`outboundListen.host is ${host} (every interface): FreeSWITCH will connect to 127.0.0.1:${port}; edit the socket address in the dialplan if FreeSWITCH runs on another machine`);
    host = '127.0.0.1';
  }
  if (listen.port === undefined) notes.push(`outboundListen.port is not set: using FreeSWITCH's socket default ${DEFAULT_SOCKET_PORT}`);
  return { mode, host, port };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function writeFiles(outDir: string, files: Map<string, string>): Promise<{ written: string[]; removed: string[] }> {
  const root = path.resolve(outDir);
  try {
    await mkdir(root, { recursive: true });
    const removed = await removeStaleGateways(root, files);
    const written: string[] = [];
    for (const [relative, text] of files) {
      const target = path.join(root, relative);
      await mkdir(path.dirname(target), { recursive: true });
      // Gateway files hold trunk passwords: readable by the owner and FreeSWITCH's group only.
      await writeFile(target, text, { mode: relative.startsWith('sip_profiles/') ? 0o640 : 0o644 });
      written.push(relative);
    }
    return { written, removed };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new VapiError(`cannot write the FreeSWITCH configuration under ${root}: ${code}`, {
      code: 'VAPI_ERR_FREESWITCH_OUT_DIR',
      category: 'invalid_request',
      cause: error,
      fix: `give --out a folder you can write (FreeSWITCH's conf dir, e.g. /etc/freeswitch, usually needs sudo)`,
    });
  }
}

/** Gateway files an earlier render wrote for carriers no longer enabled (FreeSWITCH would keep loading them). */
async function removeStaleGateways(root: string, files: Map<string, string>): Promise<string[]> {
  const dir = path.join(root, path.dirname(RENDERED_PATHS.gateway('x')));
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const relative = path.posix.join(path.dirname(RENDERED_PATHS.gateway('x')), name);
    if (!name.endsWith('.xml') || files.has(relative)) continue;
    const text = await readFile(path.join(dir, name), 'utf8').catch(() => '');
    if (!text.includes(GENERATED_MARK)) continue;
    await rm(path.join(dir, name));
    removed.push(relative);
  }
  return removed;
}
