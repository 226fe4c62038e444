/** A real server with the console plugin (auth on, an API key), and the SDK as Node imports it. */
import { mkdtempSync, rmSync, symlinkSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../transport-websocket/test/helpers.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function startConsoleServer(t: Teardown, consoleOptions: Record<string, unknown> = {}) {
  const server = await startServer(t, {}, { auth: { enabled: true } }, { console: { options: consoleOptions } });
  const { key } = await server.store.apiKeys.create('console-test');
  return { ...server, url: server.kernel.url, key };
}

/** The SDK's public surface, as much of it as the tests touch (the bundle is plain JS). */
export interface SdkEmitter {
  on(event: string, listener: (payload: any) => void): () => void;
}
export interface SdkClient extends SdkEmitter {
  readonly status: string;
  readonly callId: string | undefined;
  readonly transport: string | undefined;
  readonly active: boolean;
  start(assistantId: string, options?: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
  sendMessage(text: string): void;
  sendFunctionResult(callId: string, result: unknown): void;
}
export interface SdkModule {
  VapiClient: new (options: Record<string, unknown>) => SdkClient;
  ConversationLog: new () => { transcript(e: object): Array<Record<string, unknown>>; response(e: object): Array<Record<string, unknown>> };
  VapiClientError: new (code: string, message: string, fix?: string) => Error & { code: string };
  VERSION: string;
}

/**
 * Imports module text as Node would load it from a file, in a temp folder whose node_modules
 * links the repository's (so a bare 'react' resolves). Removed at teardown.
 */
export async function importModule<T>(t: Teardown, code: string, name = 'module.mjs'): Promise<T> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vapi-cn-sdk-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(path.join(REPO, 'node_modules', 'react'), path.join(dir, 'node_modules', 'react'));
  const file = path.join(dir, name);
  writeFileSync(file, code);
  return (await import(file)) as T;
}

export async function loadSdk(t: Teardown, baseUrl: string): Promise<SdkModule> {
  const response = await fetch(`${baseUrl}/sdk/vapi-cn.js`);
  return importModule<SdkModule>(t, await response.text(), 'vapi-cn.mjs');
}

/** Resolves with the first event of `name` that matches, or rejects after `ms`. */
export function nextEvent<T = any>(client: SdkEmitter, name: string, match: (payload: T) => boolean = () => true, ms = 8000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${name} event within ${ms} ms`));
    }, ms);
    const off = client.on(name, (payload: T) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}
