/**
 * The first start's console URL in headless Chromium (loopback-only namespace): a server with
 * `auth.firstStartKey` makes a key on its first start; opening the URL it gives (`/#key=…`) lists
 * the assistants without typing a key, keeps the key in localStorage, takes it out of the address
 * bar, and never sends it to the server in a URL.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { startKernel, testConfig } from '../../core/test/helpers.js';
import { launchBrowser, runInLoopbackNamespace } from './browser.js';

const ns = await runInLoopbackNamespace(import.meta.url);

const REPO = fileURLToPath(new URL('../../', import.meta.url));

t.test('the #key= URL opens a working console', { skip: ns.skip }, async (t) => {
  const { kernel, logs } = await startKernel(
    t,
    testConfig({
      auth: { enabled: true, firstStartKey: true },
      plugins: { console: { from: path.join(REPO, 'plugins', 'console') } },
      assistants: { demo: { name: 'Demo assistant' } },
    }),
  );
  const url = kernel.firstStartUrl;
  t.match(url, /\/#key=vk_/, 'the kernel made a key on its first start');
  const key = new URL(url!).hash.slice('#key='.length);

  const browser = await launchBrowser();
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  const requested: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  t.teardown(() => {
    if (!t.passing()) t.comment(`page log:\n${browser.logs.join('\n')}`);
  });

  await page.goto(url!);
  await page.waitForSelector('#assistant option[value="demo"]', { state: 'attached', timeout: 10_000 });
  t.equal(await page.textContent('#assistant option[value="demo"]'), 'Demo assistant (demo)', 'the assistant list, without typing a key');
  t.equal(await page.isDisabled('#talk'), false, 'Talk is enabled');
  t.equal(page.url(), `${kernel.url}/`, 'the key is gone from the address bar');
  t.equal(await page.evaluate("localStorage.getItem('vapi-cn.console.apiKey')"), key, 'kept in localStorage');
  t.equal(await page.inputValue('#api-key'), key, 'and shown (masked) in the key field');
  t.equal(await page.isHidden('#error'), true, 'no error');

  await page.goto(`${kernel.url}/`);
  await page.waitForSelector('#assistant option[value="demo"]', { state: 'attached', timeout: 10_000 });
  t.pass('a later visit without the fragment still works');

  t.ok(requested.length >= 4, `${requested.length} requests`);
  t.notOk(requested.some((r) => r.includes(key)), 'no request URL carried the key (a fragment is never sent)');
  t.notOk(JSON.stringify(logs.lines).includes(key), 'nor did any server log line');
  t.same(browser.logs.filter((line) => line.startsWith('pageerror') || /Content Security Policy|Refused to/.test(line)), [], 'no page errors or CSP violations');
});
