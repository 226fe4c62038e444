/**
 * The first start's API key (`auth.firstStartKey`, on in the embedded default): on a start whose
 * store holds no API key at all (revoked ones count, so a store whose keys were all revoked is
 * not a first start), one key is created so the console works at once. Its console URL carries
 * the key in the fragment (`/#key=…`), which a browser never sends to the server, so it lands in
 * no access log; the CLI prints that URL once on stdout, never through the logger.
 */
import type { Store } from '@vapi-cn/sdk-plugin-api';

export const FIRST_START_KEY_NAME = 'console (first start)';

export interface FirstStartKey {
  key: string;
  id: string;
}

/** Creates the key when the store has none; undefined when it already has some. */
export async function createFirstStartKey(store: Store): Promise<FirstStartKey | undefined> {
  if ((await store.apiKeys.list()).length > 0) return undefined;
  const { key, record } = await store.apiKeys.create(FIRST_START_KEY_NAME);
  return { key, id: record.id };
}

/** The console's URL with the key in its fragment, on an address a browser on this machine can open. */
export function consoleUrlWithKey(host: string, port: number, key: string): string {
  return `http://${browserHost(host)}:${port}/#key=${encodeURIComponent(key)}`;
}

/** A wildcard bind address is not one a browser can open: use loopback instead. */
function browserHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '::0') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
