/** Builds the browser SDK from plugins/console/sdk/ into single ES modules, in memory, with esbuild. */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Message } from 'esbuild';
import { VapiError } from '@vapi-cn/sdk-plugin-api';

export const SDK_DIR = fileURLToPath(new URL('../sdk/', import.meta.url));

export interface Bundle {
  /** The ES module. */
  code: string;
  /** A strong validator for If-None-Match. */
  etag: string;
}

export interface Bundles {
  /** `/sdk/vapi-cn.js`: VapiClient and friends. */
  sdk: Bundle;
  /** `/sdk/vapi-cn-react.js`: the same plus `useVapi`, importing 'react' from the app. */
  react: Bundle;
}

/** Both modules (format esm, target es2020, one file each); a VapiError when esbuild fails. */
export async function buildBundles(sdkDir: string = SDK_DIR, version = '1.0.0'): Promise<Bundles> {
  const [sdk, react] = await Promise.all([
    buildOne(sdkDir, 'index.ts', [], version),
    buildOne(sdkDir, 'react.ts', ['react'], version),
  ]);
  return { sdk, react };
}

async function buildOne(sdkDir: string, entry: string, external: string[], version: string): Promise<Bundle> {
  const entryPoint = path.join(sdkDir, entry);
  let code: string;
  try {
    if (!existsSync(entryPoint)) throw new Error(`no file ${entryPoint}`);
    const result = await build({
      entryPoints: [entryPoint],
      bundle: true,
      format: 'esm',
      target: 'es2020',
      platform: 'browser',
      write: false,
      outfile: 'out.js',
      external,
      tsconfig: path.join(sdkDir, 'tsconfig.json'),
      charset: 'utf8',
      logLevel: 'silent',
      banner: { js: `/* VAPI-CN browser SDK ${version} (${entry === 'react.ts' ? 'React hook' : 'client'}), served by the console plugin. Apache-2.0 */` },
    });
    code = result.outputFiles[0]!.text;
  } catch (error) {
    const messages = (error as { errors?: Message[] }).errors;
    const detail = messages?.length
      ? messages.map((m) => `${m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ` : ''}${m.text}`).join('; ')
      : (error as Error).message;
    throw new VapiError(`the console plugin could not build its browser SDK (${entry}): ${detail}`, {
      code: 'VAPI_ERR_CONSOLE_SDK_BUILD',
      category: 'server',
      retryable: false,
      cause: error,
      details: { entry },
      fix: 'check that esbuild is installed (npm ci) and that plugins/console/sdk is intact; or disable the console plugin',
    });
  }
  return { code, etag: `"${createHash('sha256').update(code).digest('base64url').slice(0, 27)}"` };
}
