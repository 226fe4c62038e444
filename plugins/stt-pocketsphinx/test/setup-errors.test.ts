/**
 * What setup() refuses, each as an invalid_request VapiError that names the fix: a missing binary
 * or model (with the apt packages to install), a missing or broken grammar, conflicting searches.
 */
import t from 'tap';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setupPlugin } from '@vapi-cn/sdk-plugin-api/testkit';
import plugin from '../src/index.js';
import { GRAMMAR } from './helpers.js';

const dir = await mkdtemp(path.join(os.tmpdir(), 'stt-pocketsphinx-test-'));
t.teardown(() => import('node:fs/promises').then((fs) => fs.rm(dir, { recursive: true, force: true })));
const setup = (options: Record<string, unknown>) => setupPlugin(plugin, { options: { grammar: GRAMMAR, ...options }, baseDir: dir });

t.test('a missing binary names the apt packages', async (t) => {
  await t.rejects(setup({ binary: 'pocketsphinx_nowhere' }), {
    code: 'VAPI_ERR_STT_BINARY',
    category: 'invalid_request',
    message: /'pocketsphinx_nowhere' not found on PATH/,
    fix: /apt-get install pocketsphinx pocketsphinx-en-us/,
  });
  await t.rejects(setup({ binary: './bin/pocketsphinx_continuous' }), { code: 'VAPI_ERR_STT_BINARY', details: { binary: './bin/pocketsphinx_continuous' } }, 'a path is not looked up on PATH');
});

t.test('a missing model names the apt packages', async (t) => {
  await t.rejects(setup({ hmm: 'models/en-us' }), {
    code: 'VAPI_ERR_STT_MODEL',
    category: 'invalid_request',
    message: new RegExp(`${dir}/models/en-us/mdef`),
    fix: /apt-get install pocketsphinx pocketsphinx-en-us/,
  });
  await t.rejects(setup({ dict: '/nowhere/cmudict.dict' }), { code: 'VAPI_ERR_STT_MODEL', fix: /options\.dict/ });
  await t.rejects(setup({ grammar: undefined, languageModel: 'en.lm.bin' }), { code: 'VAPI_ERR_STT_MODEL', fix: /options\.languageModel/ });
});

t.test('a missing grammar file is named, resolved against the config directory', async (t) => {
  await t.rejects(setup({ grammar: 'grammars/menu.jsgf' }), {
    code: 'VAPI_ERR_STT_GRAMMAR',
    category: 'invalid_request',
    message: `JSGF grammar file not found: ${dir}/grammars/menu.jsgf`,
    fix: /#JSGF V1\.0;/,
  });
});

t.test('a grammar file relative to the config directory is used', async (t) => {
  await writeFile(path.join(dir, 'menu.jsgf'), GRAMMAR);
  const h = await setup({ grammar: 'menu.jsgf' });
  await h.stop();
  t.pass('set up');
});

t.test('a grammar pocketsphinx rejects fails at setup, with its error', async (t) => {
  await t.rejects(setup({ grammar: '#JSGF V1.0;\ngrammar x;\npublic <a> = hello ( ;\n' }), { code: 'VAPI_ERR_STT_GRAMMAR', message: /syntax error/ });
  await t.rejects(setup({ grammar: '#JSGF V1.0;\ngrammar x;\npublic <a> = hello wrld;\n' }), {
    code: 'VAPI_ERR_STT_GRAMMAR',
    message: /'wrld' is missing in the dictionary/,
    fix: /dictionary/,
  });
  await t.rejects(setup({ grammar: undefined, keyphrase: 'wrld' }), { code: 'VAPI_ERR_STT_GRAMMAR', message: /wrld/ });
});

t.test('one search at a time', async (t) => {
  await t.rejects(setup({ languageModel: 'x.lm' }), { code: 'VAPI_ERR_STT_OPTIONS', category: 'invalid_request', message: /grammar and languageModel/ });
  await t.rejects(setup({ keyphrase: 'agent' }), { code: 'VAPI_ERR_STT_OPTIONS' });
});

t.test('a failed setup leaves no work directory behind', async (t) => {
  // A temp root of its own: other test files create and remove work directories in /tmp meanwhile.
  const root = await mkdtemp(path.join(os.tmpdir(), 'stt-setup-errors-'));
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = root;
  t.teardown(() => {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  });
  await t.rejects(setup({ grammar: '#JSGF V1.0;\ngrammar x;\npublic <a> = hello wrld;\n' }));
  t.equal(os.tmpdir(), root, 'the setup used the private temp root');
  t.same(await readdir(root), [], 'and left nothing in it');
});
