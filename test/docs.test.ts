/** Docs that must not drift from the code: error codes, shipped configs. */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { loadConfigFile, planBoot } from '@vapi-cn/core';

const REPO = fileURLToPath(new URL('../', import.meta.url));

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'test') out.push(...(await sourceFiles(full)));
    else if (entry.isFile() && entry.name.endsWith('.ts')) out.push(full);
  }
  return out;
}

t.test('every error code used in the source is documented in docs/errors.md', async (t) => {
  const documented = await readFile(path.join(REPO, 'docs/errors.md'), 'utf8');
  const codes = new Set<string>();
  for (const root of ['core/src', 'sdk-plugin-api/src', 'plugins']) {
    for (const file of await sourceFiles(path.join(REPO, root))) {
      for (const match of (await readFile(file, 'utf8')).matchAll(/'(VAPI_ERR_[A-Z0-9_]*[A-Z0-9])'/g)) codes.add(match[1]!);
    }
  }
  t.ok(codes.size > 40, `found ${codes.size} codes`);
  for (const code of [...codes].sort()) t.ok(documented.includes(`\`${code}\``), `${code} is documented`);
});

t.test('every shipped config passes check-config', async (t) => {
  const env = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db', REDIS_URL: 'redis://127.0.0.1:6379', DEEPSEEK_API_KEY: 'sk-test' };
  const files = ['config/default.yaml', ...(await readdir(path.join(REPO, 'config/examples'))).map((f) => `config/examples/${f}`)];
  for (const file of files) {
    const config = await loadConfigFile(path.join(REPO, file), { env });
    await t.resolves(planBoot(config), `${file} is valid`);
  }
});
