/**
 * The browser SDK's reconnect in headless Chromium (loopback-only namespace). The console page is
 * served through a TCP proxy in front of the server, so its voice WebSocket goes through it too;
 * mid-call the proxy cuts that connection (no close frame: the browser sees 1006, the server its
 * client gone, as with a network failure or a server-side terminate()). The page must report the
 * drop (`reconnecting`, no `disconnected`), connect again after the backoff with a new call, and
 * hold a new turn there: the caller's transcript and the bot's voice measured in the page. Over
 * the WebSocket (PCM) and over WebRTC, whose media (UDP) goes straight to the server. And the
 * other way round: the page's RTCPeerConnection closes while its socket stays open; the server
 * notices the media gone (transport-webrtc's mediaTimeoutMs), ends the call and closes with 4001,
 * which the SDK takes as a drop too.
 *
 * The microphone is a 7 s WAV that Chromium loops: 1 s of silence, a 1.2 s 300 Hz tone (speech to
 * the WebRTC VAD, "hello there" to the fake STT), 4.8 s of silence; so a turn comes every 7 s,
 * whatever the time the reconnect takes.
 */
import t, { type Test } from 'tap';
import { concatPcm, sineWave, writeWav } from '@vapi-cn/sdk-plugin-api';
import type { Page } from 'playwright-core';
import { startServer } from '../../plugins/transport-websocket/test/helpers.js';
import { launchBrowser, runInLoopbackNamespace, type LaunchedBrowser } from './browser.js';
import { consoleEvents, consoleLevels, openConsoleAndTalk, pageProblems, waitForConsoleEvent, waitForPage, type ConsoleEvent } from './console-page.js';
import { CuttableProxy } from './cuttable-proxy.js';

const ns = await runInLoopbackNamespace(import.meta.url);

const RATE = 48000;
const LOOP_WAV = writeWav(concatPcm([new Int16Array(RATE), sineWave(300, RATE, 1200, 0.5), new Int16Array((RATE * 4800) / 1000)]), RATE);
const REPLY = 'Hello, how can I help?';
/** Bot RMS (0..1) that counts as sound: the fake TTS tone has RMS 0.21; silence measures ~0. */
const FLOOR = 0.03;
const VOICE_PATH = '/v1/voice/ws';
/** Short, so that the server notices a peer connection the page closed within the test's time. */
const MEDIA_TIMEOUT_MS = 2000;
/** Keeps the page's RTCPeerConnections in window.testPeers, to close one behind the SDK's back. */
const TRACK_PEERS = `window.testPeers = [];
const NativePeerConnection = window.RTCPeerConnection;
window.RTCPeerConnection = class extends NativePeerConnection {
  constructor(...args) { super(...args); window.testPeers.push(this); }
};`;

t.test('SDK reconnect in Chromium: the voice socket drops mid-call', { skip: ns.skip }, async (t) => {
  const server = await startServer(t, {}, { auth: { enabled: true } }, {
    'transport-webrtc': { options: { bindAddress: '127.0.0.1', mediaTimeoutMs: MEDIA_TIMEOUT_MS } },
    console: {},
  });
  const { key } = await server.store.apiKeys.create('browser-reconnect-test');
  const proxy = await CuttableProxy.start(server.kernel.port);
  t.teardown(() => proxy.close());
  const browser = await launchBrowser({ fakeMicWav: LOOP_WAV });
  t.teardown(() => browser.close());

  async function explainFailure(t: Test, browser: LaunchedBrowser, page: Page | undefined): Promise<void> {
    if (t.passing()) return;
    t.comment(`page log:\n${browser.logs.join('\n')}`);
    if (page) t.comment(`console events:\n${JSON.stringify(await consoleEvents(page).catch(() => []), null, 1).slice(0, 8000)}`);
  }

  for (const transport of ['websocket', 'webrtc'] as const) {
    await t.test(transport, async (t) => {
      const started = Date.now();
      let page: Page | undefined;
      t.teardown(() => explainFailure(t, browser, page));
      page = await openConsoleAndTalk(browser, { origin: proxy.origin, apiKey: key, assistant: 'demo', transport });
      const first = await waitForConsoleEvent(page, "e.type === 'connected'");
      t.equal(first.transport, transport, `connected over ${transport}`);
      await waitForConsoleEvent(page, "e.type === 'response' && e.isFinal");
      t.ok(await waitForPage(page, `window.vapiConsole.maxBot > ${FLOOR}`, 5000), 'a first turn, the bot heard');

      const cut = proxy.cut(VOICE_PATH);
      t.equal(cut, 1, 'the voice socket cut');
      const reconnecting = await waitForConsoleEvent(page, "e.type === 'status' && e.status === 'reconnecting'", 5000);
      t.match(reconnecting, { attempt: 1 }, 'the page reports the drop: reconnecting, attempt 1');
      t.ok((reconnecting.delayMs as number) > 0 && (reconnecting.delayMs as number) <= 500, `after a backoff of ${reconnecting.delayMs} ms`);
      const second = await waitForConsoleEvent(page, `e.type === 'connected' && e.callId !== ${JSON.stringify(first.callId)}`, 15_000);
      t.equal(second.transport, transport, `connected again over ${transport}, a new call`);
      t.ok(second.t - reconnecting.t >= (reconnecting.delayMs as number) - 5, `not before the backoff (${Math.round(second.t - reconnecting.t)} ms)`);
      const between = (await consoleEvents(page)).filter((e) => e.t >= reconnecting.t && e.t <= second.t).map((e) => `${e.type}:${e.status ?? ''}`);
      t.notOk(between.includes('disconnected:'), `no disconnected event: the session went on (${between.join(', ')})`);
      t.equal(await page.textContent('#talk'), 'Stop', 'the page still shows the call as active');

      // A new turn on the new call: the next loop of the microphone's tone.
      const after = (condition: string) => `e.t > ${second.t} && ${condition}`;
      const transcript = await waitForConsoleEvent(page, after("e.type === 'transcript' && e.isFinal"), 15_000);
      t.equal(transcript.text, 'hello there', "the caller's transcript after the reconnect");
      const response = await waitForConsoleEvent(page, after("e.type === 'response' && e.isFinal"), 10_000);
      t.equal(response.text, REPLY, "and the bot's answer");
      const heard = await waitForPage(page, `window.vapiConsole.levels.some((l) => l.t > ${second.t} && l.bot > ${FLOOR})`, 5000);
      const maxBot = Math.max(0, ...(await consoleLevels(page)).filter((l) => l.t > second.t).map((l) => l.bot));
      t.ok(heard, `the bot's voice measured in the page after the reconnect (RMS ${maxBot.toFixed(3)})`);

      const firstRecord = (await server.store.calls.get(first.callId as string)) as { status: string; endReason: string } | undefined;
      t.match(firstRecord, { status: 'ended', endReason: 'client-closed' }, 'the server ended the first call when its socket went');
      t.match(await server.store.calls.get(second.callId as string), { status: 'in-progress' }, 'the second call is up');
      const errors = (await consoleEvents(page)).filter((e: ConsoleEvent) => e.type === 'error');
      t.same(errors, [], 'no error event: a reconnect that worked is not an error');

      await page.click('#talk');
      await waitForConsoleEvent(page, "e.type === 'disconnected'", 5000);
      t.comment(`${transport}: ${Date.now() - started} ms`);
      await page.context().close();
    });
  }

  await t.test('webrtc: the page closes its peer connection, the socket stays open', async (t) => {
    let page: Page | undefined;
    t.teardown(() => explainFailure(t, browser, page));
    page = await openConsoleAndTalk(browser, { origin: proxy.origin, apiKey: key, assistant: 'demo', transport: 'webrtc', initScript: TRACK_PEERS });
    const first = await waitForConsoleEvent(page, "e.type === 'connected'");
    t.equal(first.transport, 'webrtc', 'connected over webrtc');
    // Closed without a word to the SDK (close() fires no state event) or to the server.
    await page.evaluate('window.testPeers.at(-1).close()');
    const error = await waitForConsoleEvent(page, "e.type === 'error'", MEDIA_TIMEOUT_MS + 10_000);
    const ended = await waitForConsoleEvent(page, "e.type === 'status' && e.status === 'ended'", 1000);
    t.comment(`server: ${error.code}, reason ${ended.reason}`);
    t.match(ended, { reason: /^(media-timeout|peer-closed)$/ }, `the server noticed and ended the call: ${ended.reason}`);
    const record = (await server.store.calls.get(first.callId as string)) as { status: string; endReason: string } | undefined;
    t.match(record, { status: 'ended', endReason: ended.reason }, 'the call record says why');
    const reconnecting = await waitForConsoleEvent(page, "e.type === 'status' && e.status === 'reconnecting'", 5000);
    t.ok(reconnecting.t > ended.t, 'the SDK takes close 4001 as a drop and reconnects');
    const second = await waitForConsoleEvent(page, `e.type === 'connected' && e.callId !== ${JSON.stringify(first.callId)}`, 15_000);
    t.equal(second.transport, 'webrtc', 'a new WebRTC call');
    const transcript = await waitForConsoleEvent(page, `e.t > ${second.t} && e.type === 'transcript' && e.isFinal`, 15_000);
    t.equal(transcript.text, 'hello there', 'which hears the caller');
    await page.click('#talk');
    await waitForConsoleEvent(page, "e.type === 'disconnected'", 5000);
    await page.context().close();
  });
  t.same(pageProblems(browser), [], 'no page errors or CSP violations');
});
