/**
 * console: the browser SDK and a web console, served by the server itself.
 * - `GET /sdk/vapi-cn.js`: the SDK (VapiClient: WebRTC or WebSocket PCM, reconnects, events), one
 *   ES module built from ../sdk with esbuild when the plugin sets up and kept in memory.
 * - `GET /sdk/vapi-cn-react.js`: the same with the `useVapi` React hook ('react' stays external).
 * - `GET /`: the console (plain HTML and JS using the SDK): pick an assistant, talk, watch the
 *   transcript and per-turn latency, browse recent calls. The page asks for an API key and calls
 *   the REST API with it; the page itself needs none.
 * See docs/console.md.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { coreRefs, definePlugin, Type, type HttpReply, type HttpRequest, type HttpRoutes } from '@vapi-cn/sdk-plugin-api';
import { buildBundles, type Bundle } from './bundle.js';

export { buildBundles, SDK_DIR, type Bundle, type Bundles } from './bundle.js';

const VERSION = '1.0.0';
const PAGE_DIR = new URL('../page/', import.meta.url);

const Options = Type.Object(
  {
    console: Type.Boolean({ default: true, description: 'Serve the web console at / (the SDK is served either way)' }),
    sdkMaxAgeSeconds: Type.Integer({ minimum: 0, default: 300, description: 'Cache-Control max-age of /sdk/*.js (revalidated with an ETag after that)' }),
  },
  { additionalProperties: false },
);

/**
 * The console's Content-Security-Policy: nothing from elsewhere. `blob:` scripts are the SDK's
 * AudioWorklet; connect-src 'self' covers the same-origin WebSocket.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self' blob:",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface StaticFile extends Bundle {
  type: string;
  cacheControl: string;
  headers?: Record<string, string>;
}

function pageFile(name: string, type: string, headers?: Record<string, string>): StaticFile {
  const code = readFileSync(new URL(name, PAGE_DIR), 'utf8');
  return { code, type, etag: `"${createHash('sha256').update(code).digest('base64url').slice(0, 27)}"`, cacheControl: 'no-cache', ...(headers ? { headers } : {}) };
}

function serve(http: HttpRoutes, url: string, file: StaticFile, summary: string): void {
  http.route({
    method: 'GET',
    url,
    auth: 'none',
    summary,
    handler(request: HttpRequest, reply: HttpReply) {
      reply.header('cache-control', file.cacheControl).header('etag', file.etag).header('x-content-type-options', 'nosniff');
      for (const [name, value] of Object.entries(file.headers ?? {})) reply.header(name, value);
      if (request.headers['if-none-match'] === file.etag) {
        reply.status(304);
        return '';
      }
      reply.type(file.type);
      return file.code;
    },
  });
}

export default definePlugin({
  id: 'console',
  version: VERSION,
  apiVersion: '^1.0.0',
  description: 'The browser SDK (/sdk/vapi-cn.js, React hook /sdk/vapi-cn-react.js) and a web console at /',
  configSchema: Options,
  requires: { http: coreRefs.http },
  async setup(ctx, options) {
    const started = Date.now();
    const bundles = await buildBundles(undefined, VERSION);
    const js = 'text/javascript; charset=utf-8';
    const cacheControl = `public, max-age=${options.sdkMaxAgeSeconds}`;
    // Pages on other origins may import the SDK.
    const cors = { 'access-control-allow-origin': '*' };
    const { http } = ctx.deps;
    serve(http, '/sdk/vapi-cn.js', { ...bundles.sdk, type: js, cacheControl, headers: cors }, 'The browser SDK (ES module)');
    serve(http, '/sdk/vapi-cn-react.js', { ...bundles.react, type: js, cacheControl, headers: cors }, 'The browser SDK with the useVapi React hook (imports react)');
    if (options.console) {
      const pageHeaders = { 'content-security-policy': CONSOLE_CSP, 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' };
      serve(http, '/', pageFile('index.html', 'text/html; charset=utf-8', pageHeaders), 'The web console');
      serve(http, '/console/console.js', pageFile('console.js', js), "The console's script");
      serve(http, '/console/console.css', pageFile('console.css', 'text/css; charset=utf-8'), "The console's style sheet");
    }
    ctx.log.info({ ms: Date.now() - started, sdkBytes: bundles.sdk.code.length, console: options.console }, 'browser SDK built');
  },
});
