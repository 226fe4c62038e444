import { readFile } from 'node:fs/promises';
import t from 'tap';
import { definePlugin, isPlugin, samplesPerFrame, SDK_API_VERSION, isDtmfDigit, createCollectionRef, createRef } from '../src/index.js';

t.test('definePlugin brands and freezes the definition', async (t) => {
  const plugin = definePlugin({ id: 'x', version: '1.0.0', apiVersion: '^1.0.0', setup() {} });
  t.ok(isPlugin(plugin));
  t.ok(Object.isFrozen(plugin));
  t.notOk(isPlugin({ id: 'x', setup() {} }));
});

t.test('the contract version is the package version', async (t) => {
  const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  t.equal(SDK_API_VERSION, manifest.version);
});

t.test('single and collection refs with the same id are different tokens', async (t) => {
  t.not(createRef('a.b').token, createCollectionRef('a.b').token);
  t.equal(createCollectionRef('a.b').token, createCollectionRef('a.b').token);
});

t.test('frame helpers', async (t) => {
  t.equal(samplesPerFrame(8000), 160);
  t.equal(samplesPerFrame(22050), 441);
  t.equal(samplesPerFrame(48000, 10), 480);
  t.ok(isDtmfDigit('#'));
  t.notOk(isDtmfDigit('E'));
  t.notOk(isDtmfDigit('12'));
});
