/** The console plugin on a real server: the SDK modules, the page, and the SDK type-checking. */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { isVapiError } from '@vapi-cn/sdk-plugin-api';
import { buildBundles, CONSOLE_CSP } from '../src/index.js';
import { importModule, loadSdk, startConsoleServer } from './helpers.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const { url } = await startConsoleServer(t);

t.test('GET /sdk/vapi-cn.js serves the SDK as one ES module, without an API key', async (t) => {
  const response = await fetch(`${url}/sdk/vapi-cn.js`);
  t.equal(response.status, 200);
  t.match(response.headers.get('content-type'), /^text\/javascript/);
  t.match(response.headers.get('cache-control'), /max-age=300/);
  t.equal(response.headers.get('access-control-allow-origin'), '*', 'pages elsewhere may import it');
  const etag = response.headers.get('etag');
  t.match(etag, /^"[\w-]+"$/, 'an ETag');
  const code = await response.text();
  t.notMatch(code, /^\s*(import|export) .* from ['"]\.\.?\//m, 'no relative imports left: one file');
  t.notMatch(code, /\brequire\(/, 'no require()');

  const again = await fetch(`${url}/sdk/vapi-cn.js`, { headers: { 'if-none-match': etag! } });
  t.equal(again.status, 304, 'revalidation with the ETag answers 304');

  const sdk = await loadSdk(t, url);
  t.type(sdk.VapiClient, 'function', 'exports VapiClient');
  t.type(sdk.ConversationLog, 'function', 'exports ConversationLog');
  t.type(sdk.VapiClientError, 'function', 'exports VapiClientError');
  t.equal(sdk.VERSION, '1.0.0');
  t.throws(() => new sdk.VapiClient({ baseUrl: url }), { code: 'VAPI_ERR_SDK_OPTIONS' }, 'an API key is required');
  t.throws(() => new sdk.VapiClient({ apiKey: 'k' }), { code: 'VAPI_ERR_SDK_OPTIONS' }, 'outside a page, baseUrl is required');
});

t.test('GET /sdk/vapi-cn-react.js imports React as a bare specifier and exports useVapi', async (t) => {
  const response = await fetch(`${url}/sdk/vapi-cn-react.js`);
  t.equal(response.status, 200);
  t.match(response.headers.get('content-type'), /^text\/javascript/);
  const code = await response.text();
  t.match(code, /from\s*["']react["']/, "'react' stays an import for the app's bundler");
  t.notMatch(code, /react\.development|__SECRET_INTERNALS/, 'React itself is not bundled');
  const module = await importModule<{ useVapi: (options: object) => Record<string, unknown>; VapiClient: unknown }>(t, code, 'vapi-cn-react.mjs');
  t.type(module.useVapi, 'function', 'exports useVapi');
  t.type(module.VapiClient, 'function', 'and the client');

  // Rendered by the repository's React (the module's 'react' resolves to the same copy).
  const require = createRequire(import.meta.url);
  const React = require('react') as { createElement(type: unknown, props: unknown, ...children: unknown[]): unknown };
  const { renderToString } = require('react-dom/server') as { renderToString(element: unknown): string };
  let seen: Record<string, unknown> = {};
  const Talk = () => {
    seen = module.useVapi({ apiKey: 'k', baseUrl: url });
    return React.createElement('p', null, String(seen.status));
  };
  t.equal(renderToString(React.createElement(Talk, null)), '<p>idle</p>', 'the hook renders');
  t.same(
    { isActive: seen.isActive, transcripts: seen.transcripts, latency: seen.latency, audioLevel: seen.audioLevel, error: seen.error },
    { isActive: false, transcripts: [], latency: [], audioLevel: { bot: 0, mic: 0 }, error: undefined },
  );
  for (const name of ['start', 'stop', 'sendMessage', 'sendFunctionResult']) t.type(seen[name], 'function', `returns ${name}`);
});

t.test('GET / serves the console page; its script and style come from the server', async (t) => {
  const page = await fetch(`${url}/`);
  t.equal(page.status, 200);
  t.match(page.headers.get('content-type'), /^text\/html/);
  t.equal(page.headers.get('content-security-policy'), CONSOLE_CSP);
  const html = await page.text();
  t.match(html, /<script type="module" src="\/console\/console\.js"><\/script>/);
  t.match(html, /npx vapi-cn api-keys create --name me/, 'says how to get a key');
  t.notMatch(html, /(src|href)="(https?:)?\/\//, 'nothing from another origin');
  const script = await fetch(`${url}/console/console.js`);
  t.equal(script.status, 200);
  t.match(script.headers.get('content-type'), /^text\/javascript/);
  t.match(await script.text(), /from '\/sdk\/vapi-cn\.js'/, 'the page uses the SDK module');
  const css = await fetch(`${url}/console/console.css`);
  t.match(css.headers.get('content-type'), /^text\/css/);
  t.equal((await fetch(`${url}/v1/assistants`)).status, 401, 'the REST API still needs a key');
});

t.test('console: false serves the SDK only', async (t) => {
  const sdkOnly = await startConsoleServer(t, { console: false });
  t.equal((await fetch(`${sdkOnly.url}/`)).status, 404);
  t.equal((await fetch(`${sdkOnly.url}/sdk/vapi-cn.js`)).status, 200);
});

t.test('a failed SDK build is a VapiError that names the problem', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vapi-cn-nosdk-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const error = await buildBundles(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(isVapiError(error), 'a VapiError');
  t.equal((error as { code: string }).code, 'VAPI_ERR_CONSOLE_SDK_BUILD');
  t.match((error as Error).message, /index\.ts|react\.ts/);
});

t.test('the SDK type-checks with its own tsconfig (DOM lib)', async (t) => {
  const tsc = path.join(REPO, 'node_modules/typescript/bin/tsc');
  const result = await promisify(execFile)(process.execPath, [tsc, '-p', path.join(REPO, 'plugins/console/sdk/tsconfig.json'), '--noEmit'], { cwd: REPO }).then(
    () => ({ ok: true, output: '' }),
    (e: { stdout?: string; stderr?: string }) => ({ ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
  );
  t.ok(result.ok, result.output || 'tsc -p plugins/console/sdk/tsconfig.json passes');
});
