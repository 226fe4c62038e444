/**
 * `vapi-cn`: start the server, check a config, list plugins, manage API keys. User errors print
 * what is wrong and how to fix it, with no stack trace, and exit 1; usage errors exit 2.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isVapiError } from '@vapi-cn/sdk-plugin-api';
import { loadConfigFile } from './config/load-config.js';
import { ConfigInvalidError } from './config/problems.js';
import { planBoot } from './kernel/boot-plan.js';
import { Kernel } from './kernel/kernel.js';
import { describePlugin, loadBuiltinCatalog, type CatalogEntry } from './kernel/plugin-catalog.js';
import { openStore } from './store/open-store.js';
import { renderFreeswitchConfig } from './telephony/render-freeswitch-config.js';

const REPO_DEFAULT_CONFIG = fileURLToPath(new URL('../../config/default.yaml', import.meta.url));
const VERSION = '0.1.0';

const HELP = `vapi-cn ${VERSION}: self-hosted voice-AI media server

Usage:
  vapi-cn start [--config FILE]          run the server (default: $VAPI_CN_CONFIG or config/default.yaml)
  vapi-cn check-config FILE              validate a config and its plugins; exit 0 when valid
  vapi-cn plugins [--config FILE]        list built-in plugins (and those a config loads by path or package)
  vapi-cn api-keys create --name NAME    create an API key (printed once)
  vapi-cn api-keys list                  list API keys
  vapi-cn api-keys revoke ID             revoke an API key
  vapi-cn freeswitch render-config --config FILE --out DIR
                                         write FreeSWITCH gateways, ACLs and dialplan for the enabled carriers
  vapi-cn --version | --help

Exit codes: 0 ok, 1 invalid config or other user error, 2 bad usage, 70 internal error.`;

interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
}

const stdio: Output = { out: (t) => process.stdout.write(t + '\n'), err: (t) => process.stderr.write(t + '\n') };

export async function main(argv: string[], io: Output = stdio): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { config: { type: 'string', short: 'c' }, out: { type: 'string', short: 'o' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } },
    });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) return io.out(VERSION), 0;
  const [command, ...rest] = positionals;
  if (values.help || !command) return io.out(HELP), command || values.help ? 0 : 2;
  try {
    switch (command) {
      case 'start':
        return await start(values.config, io);
      case 'check-config': {
        const file = rest[0] ?? values.config;
        if (!file) return io.err(`check-config needs a FILE\n\n${HELP}`), 2;
        return await checkConfig(file, io);
      }
      case 'plugins':
        return await listPlugins(values.config, io);
      case 'api-keys':
        return await apiKeys(rest, values, io);
      case 'freeswitch':
        return await freeswitch(rest, values, io);
      default:
        io.err(`unknown command '${command}'\n\n${HELP}`);
        return 2;
    }
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: Output): number {
  if (error instanceof ConfigInvalidError) {
    io.err(error.format());
    return 1;
  }
  if (isVapiError(error)) {
    io.err(`error: ${error.message} [${error.code}]${error.fix ? `\n  fix: ${error.fix}` : ''}`);
    return 1;
  }
  io.err(`internal error: ${(error as Error)?.stack ?? String(error)}`);
  return 70;
}

function defaultConfigPath(): string {
  if (process.env.VAPI_CN_CONFIG) return process.env.VAPI_CN_CONFIG;
  const local = path.resolve('config/default.yaml');
  return existsSync(local) ? local : REPO_DEFAULT_CONFIG;
}

async function start(configFile = defaultConfigPath(), io: Output = stdio): Promise<number> {
  const plan = await planBoot(await loadConfigFile(configFile));
  const kernel = await Kernel.start(plan);
  // One plain line, not a log record: log pipelines must never hold the key.
  if (kernel.firstStartUrl) io.out(`Open the console: ${kernel.firstStartUrl}  (an API key made on this first start, shown only here)`);
  return new Promise<number>((resolve) => {
    let signals = 0;
    const stop = (signal: string) => {
      if (++signals > 1) {
        kernel.log.warn({ signal }, 'second signal: exiting without waiting');
        resolve(1);
        return;
      }
      kernel.log.info({ signal }, 'shutdown requested');
      kernel.stop(signal).then(() => resolve(0), (error: unknown) => {
        kernel.log.error({ err: error }, 'shutdown failed');
        resolve(1);
      });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    // One failing call must not take down every other call on the node.
    process.on('unhandledRejection', (reason) => kernel.log.error({ err: reason }, 'unhandled promise rejection'));
  });
}

async function checkConfig(file: string, io: Output): Promise<number> {
  const plan = await planBoot(await loadConfigFile(file));
  const ids = plan.plugins.map((p) => p.id);
  io.out(`✓ ${file} is valid: ${ids.length} plugin${ids.length === 1 ? '' : 's'}${ids.length ? ` (start order: ${ids.join(', ')})` : ''}`);
  return 0;
}

async function listPlugins(configFile: string | undefined, io: Output): Promise<number> {
  const { plugins, failures } = await loadBuiltinCatalog();
  const entries: CatalogEntry[] = plugins.map(describePlugin);
  if (configFile) {
    const plan = await planBoot(await loadConfigFile(configFile));
    for (const p of plan.plugins) if (p.origin !== 'builtin') entries.push(describePlugin(p));
  }
  if (entries.length === 0) io.out('no plugins found');
  const rows = entries.map((e) => [e.id, e.version, e.origin, e.provides.join(', ') || '-', e.description]);
  const header = ['ID', 'VERSION', 'ORIGIN', 'PROVIDES', 'DESCRIPTION'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  if (rows.length) for (const row of [header, ...rows]) io.out(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
  for (const f of failures) io.err(`! ${f.id}: ${f.message}`);
  return failures.length ? 1 : 0;
}

async function freeswitch(args: string[], values: { config?: string; out?: string }, io: Output): Promise<number> {
  if (args[0] !== 'render-config') return io.err(`freeswitch: expected render-config\n\n${HELP}`), 2;
  if (!values.out) return io.err('freeswitch render-config needs --out DIR (the FreeSWITCH conf dir, e.g. /etc/freeswitch)'), 2;
  const result = await renderFreeswitchConfig({ configFile: values.config ?? defaultConfigPath(), outDir: values.out });
  const mode = result.handOff.mode === 'inbound' ? 'park for inbound ESL' : `socket ${result.handOff.host}:${result.handOff.port} async full`;
  io.out(`carriers: ${result.carriers.map((c) => `${c.id} (${c.vendor})`).join(', ')}; hand-off: ${mode}`);
  for (const file of result.written) io.out(`wrote ${path.join(values.out, file)}`);
  for (const file of result.removed) io.out(`removed ${path.join(values.out, file)} (carrier no longer enabled)`);
  for (const note of result.notes) io.out(`note: ${note}`);
  io.out('reload: fs_cli -x "reloadxml" && fs_cli -x "reloadacl" && fs_cli -x "sofia profile external rescan"');
  return 0;
}

async function apiKeys(args: string[], values: { config?: string; name?: string }, io: Output): Promise<number> {
  const [action, id] = args;
  const config = await loadConfigFile(values.config ?? defaultConfigPath());
  const store = await openStore(config.server.store);
  try {
    switch (action) {
      case 'create': {
        if (!values.name) return io.err('api-keys create needs --name NAME'), 2;
        const { key, record } = await store.apiKeys.create(values.name);
        io.out(`${key}\n(id ${record.id}; shown once: store it now)`);
        return 0;
      }
      case 'list':
        for (const k of await store.apiKeys.list()) io.out(`${k.id}  ${k.prefix}…  ${k.name}${k.revokedAt ? '  (revoked)' : ''}`);
        return 0;
      case 'revoke':
        if (!id) return io.err('api-keys revoke needs an ID'), 2;
        if (!(await store.apiKeys.revoke(id))) return io.err(`no API key ${id}`), 1;
        io.out(`revoked ${id}`);
        return 0;
      default:
        io.err(`api-keys: expected create, list or revoke\n\n${HELP}`);
        return 2;
    }
  } finally {
    await store.close();
  }
}
