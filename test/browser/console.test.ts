/**
 * The console page and browser SDK end to end, in headless Chromium in a loopback-only namespace:
 * the server runs in this process (in-memory PGlite, API keys on, the WebSocket and WebRTC
 * transports, WebRTC peers in a media worker thread, the testkit's fake providers), the page is served by the console plugin, and the
 * fake microphone is a WAV with a 300 Hz tone (speech to the WebRTC VAD; "hello there" to the fake
 * STT). Each case runs over WebRTC and over the WebSocket (PCM) transport.
 *
 * Chromium loops the WAV from the start when the page opens the microphone, so each file has long
 * silence after its tone; every case ends well before the loop comes round.
 */
import t, { type Test } from 'tap';
import { concatPcm, sineWave, writeWav } from '@vapi-cn/sdk-plugin-api';
import type { Page } from 'playwright-core';
import { startServer } from '../../plugins/transport-websocket/test/helpers.js';
import { launchBrowser, runInLoopbackNamespace, type LaunchedBrowser } from './browser.js';

const ns = await runInLoopbackNamespace(import.meta.url);

const RATE = 48000;
const silence = (ms: number) => new Int16Array(Math.round((RATE * ms) / 1000));
const tone = (ms: number) => sineWave(300, RATE, ms, 0.5);
/** A caller turn: 1 s of silence (the call connects), 1.2 s of "speech", then quiet. */
const TURN_WAV = writeWav(concatPcm([silence(1000), tone(1200), silence(15000)]), RATE);
/** Barge-in: the tone comes 2.5 s in, while the bot is still saying its long first message. */
const BARGE_IN_WAV = writeWav(concatPcm([silence(2500), tone(1200), silence(15000)]), RATE);

const REPLY = 'Hello, how can I help?';
const STORY = 'This is a rather long first message, so that there is plenty of time to interrupt it. It goes on and on. And on, for a good while longer still.';
/** Bot RMS (0..1) that counts as sound: the fake TTS tone has RMS 0.21; silence measures ~0. */
const FLOOR = 0.03;
const TRANSPORTS = ['webrtc', 'websocket'] as const;

interface ConsoleEvent {
  t: number;
  type: string;
  [key: string]: unknown;
}
interface Level {
  t: number;
  bot: number;
  mic: number;
}

t.test('console and SDK in Chromium', { skip: ns.skip }, async (t) => {
  const began = Date.now();
  const server = await startServer(t, {}, { auth: { enabled: true } }, {
    // Peers in a media worker thread here; sdk-reconnect.test.ts runs them on the main thread (the default).
    'transport-webrtc': { options: { bindAddress: '127.0.0.1', mediaWorkers: 1 } },
    console: {},
  });
  const { key } = await server.store.apiKeys.create('browser-test');
  await server.store.assistants.create({
    id: 'storyteller',
    name: 'Storyteller',
    config: {
      firstMessageMode: 'assistant-first',
      firstMessage: STORY,
      stt: { provider: 'fake' },
      llm: { provider: 'fake' },
      tts: { provider: 'fake' },
      vad: { minSpeechMs: 100, minSilenceMs: 200 },
    },
  });
  const url = `${server.kernel.url}/`;

  /** Opens the console, enters the key, picks the assistant and options, clicks Talk. */
  async function openConsole(browser: LaunchedBrowser, assistant: string, transport: string, initScript?: string): Promise<Page> {
    const page = await browser.newPage();
    if (initScript) await page.addInitScript(initScript);
    await page.goto(url);
    await page.fill('#api-key', key);
    await page.click('#key-form button[type=submit]');
    await page.waitForSelector(`#assistant option[value="${assistant}"]`, { state: 'attached', timeout: 10_000 });
    await page.selectOption('#assistant', assistant);
    await page.click('details summary');
    await page.selectOption('#transport', transport);
    await page.uncheck('#processing'); // no echo cancellation, noise suppression or AGC on the test tone
    await page.click('#talk');
    return page;
  }

  const events = (page: Page) => page.evaluate('window.vapiConsole.events') as Promise<ConsoleEvent[]>;
  const levels = (page: Page) => page.evaluate('window.vapiConsole.levels') as Promise<Level[]>;
  /**
   * Polls a page expression until it is truthy. (page.waitForFunction with a string evaluates it
   * with eval, which the console's Content-Security-Policy forbids; page.evaluate is not affected.)
   */
  async function waitFor(page: Page, expression: string, timeout: number): Promise<boolean> {
    const deadline = Date.now() + timeout;
    for (;;) {
      if (await page.evaluate(`Boolean(${expression})`)) return true;
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  async function waitForEvent(page: Page, condition: string, timeout = 15_000): Promise<void> {
    if (!(await waitFor(page, `window.vapiConsole && window.vapiConsole.events.some((e) => ${condition})`, timeout))) {
      throw new Error(`no console event with ${condition} within ${timeout} ms`);
    }
  }

  /** Page errors and Content-Security-Policy violations the page logged. */
  const pageProblems = (browser: LaunchedBrowser) => browser.logs.filter((line) => line.startsWith('pageerror') || /Content Security Policy|Refused to/.test(line));

  async function explainFailure(t: Test, browser: LaunchedBrowser, page: Page | undefined): Promise<void> {
    if (t.passing()) return;
    t.comment(`page log:\n${browser.logs.join('\n')}`);
    if (page) t.comment(`console events:\n${JSON.stringify(await events(page).catch(() => []), null, 1).slice(0, 6000)}`);
  }

  t.test('a caller turn: transcript, answer, the bot heard, latency, the call listed; fallback', async (t) => {
    const browser = await launchBrowser({ fakeMicWav: TURN_WAV });
    t.teardown(() => browser.close());
    for (const transport of TRANSPORTS) {
      await t.test(transport, async (t) => {
        const started = Date.now();
        let page: Page | undefined;
        t.teardown(() => explainFailure(t, browser, page));
        page = await openConsole(browser, 'demo', transport);
        await waitForEvent(page, "e.type === 'connected'");
        const connected = (await events(page)).find((e) => e.type === 'connected')!;
        t.equal(connected.transport, transport, `connected over ${transport}`);

        await waitForEvent(page, "e.type === 'transcript' && e.isFinal");
        await waitForEvent(page, "e.type === 'response' && e.isFinal");
        const seen = await events(page);
        t.equal(seen.find((e) => e.type === 'transcript' && e.isFinal)?.text, 'hello there', 'the caller transcript');
        t.ok(seen.some((e) => e.type === 'transcript' && !e.isFinal), 'interim transcripts first');
        t.equal(seen.find((e) => e.type === 'response' && e.isFinal)?.text, REPLY, "the bot's answer");
        t.equal(await page.textContent('#conversation li.user:not(.interim) .text'), 'hello there', 'shown as the caller');
        t.equal(await page.textContent('#conversation li.assistant:not(.interim) .text'), REPLY, 'shown as the assistant');

        // The bot's tone reaches the page: its AnalyserNode measures it (1.4 s of audio after the response starts).
        await waitFor(page, `window.vapiConsole.maxBot > ${FLOOR}`, 5000);
        const maxBot = (await page.evaluate('window.vapiConsole.maxBot')) as number;
        t.ok(maxBot > FLOOR, `bot audio RMS ${maxBot.toFixed(3)} above ${FLOOR}`);
        const maxMic = (await page.evaluate('window.vapiConsole.maxMic')) as number;
        t.ok(maxMic > 0.1, `the microphone measured (RMS ${maxMic.toFixed(3)})`);

        await waitForEvent(page, "e.type === 'latency'");
        const latency = (await events(page)).find((e) => e.type === 'latency')!;
        t.type(latency.voiceToVoiceMs, 'number', `latency event: ${JSON.stringify(latency)}`);
        t.ok((await page.locator('#latency-chart svg rect').count()) >= 3, 'latency bars drawn');

        const callId = connected.callId as string;
        await page.click('#talk');
        await waitForEvent(page, "e.type === 'disconnected'", 5000);
        await page.waitForSelector(`#calls button[data-call-id="${callId}"]`, { timeout: 5000 });
        await page.click(`#calls button[data-call-id="${callId}"]`);
        await page.waitForSelector('#call-detail .transcript li', { timeout: 5000 });
        const lines = await page.locator('#call-detail .transcript li .text').allTextContents();
        t.same(lines.slice(0, 2), ['hello there', REPLY], 'the recent call shows its transcript');
        t.comment(`${transport}: ${Date.now() - started} ms`);
        await page.context().close();
      });
    }

    await t.test('automatic transport: a WebRTC failure falls back to the WebSocket', async (t) => {
      let page: Page | undefined;
      t.teardown(() => explainFailure(t, browser, page));
      // The page's WebRTC breaks while offering, as when a browser or a policy blocks it.
      const breakWebRtc = `RTCPeerConnection.prototype.setLocalDescription = function () { return Promise.reject(new DOMException('blocked for the test', 'NotAllowedError')); };`;
      page = await openConsole(browser, 'demo', '', breakWebRtc);
      await waitForEvent(page, "e.type === 'connected'");
      const seen = await events(page);
      t.equal(seen.find((e) => e.type === 'connected')?.transport, 'websocket', 'connected over the WebSocket');
      t.notOk(seen.some((e) => e.type === 'error'), 'no error shown for the fallback');
      await waitForEvent(page, "e.type === 'response' && e.isFinal");
      t.equal((await events(page)).find((e) => e.type === 'transcript' && e.isFinal)?.text, 'hello there', 'and the call works');
      await page.click('#talk');
      await page.context().close();
    });
    t.same(pageProblems(browser), [], 'no page errors or CSP violations');
  });

  t.test('barge-in: caller speech stops the bot', async (t) => {
    const browser = await launchBrowser({ fakeMicWav: BARGE_IN_WAV });
    t.teardown(() => browser.close());
    for (const transport of TRANSPORTS) {
      await t.test(transport, async (t) => {
        const started = Date.now();
        let page: Page | undefined;
        t.teardown(() => explainFailure(t, browser, page));
        page = await openConsole(browser, 'storyteller', transport);
        await waitForEvent(page, "e.type === 'connected'");
        t.equal((await events(page)).find((e) => e.type === 'connected')?.transport, transport, `connected over ${transport}`);
        // The first message plays (about 9 s of tone) until the caller's tone cuts in 2.5 s after the microphone opened.
        await waitFor(page, `window.vapiConsole.maxBot > ${FLOOR}`, 8000);
        t.ok(((await page.evaluate('window.vapiConsole.maxBot')) as number) > FLOOR, 'the bot is heard speaking');

        await waitForEvent(page, "e.type === 'clear'");
        await waitForEvent(page, "e.type === 'response' && e.isFinal");
        const seen = await events(page);
        const clearAt = seen.find((e) => e.type === 'clear')!.t;
        const cut = seen.find((e) => e.type === 'response' && e.isFinal)!;
        t.ok(typeof cut.text === 'string' && cut.text.length < STORY.length, `the bot's turn is cut to what was heard: "${cut.text}"`);

        // Quiet soon after the barge-in, while the caller is still talking (their tone lasts 1.2 s).
        await page.waitForTimeout(1000);
        const after = (await levels(page)).filter((l) => l.t >= clearAt + 300 && l.t <= clearAt + 1000);
        const before = (await levels(page)).filter((l) => l.t >= clearAt - 1000 && l.t < clearAt);
        const loudBefore = Math.max(0, ...before.map((l) => l.bot));
        const quietAfter = Math.min(1, ...after.map((l) => l.bot));
        t.ok(after.length >= 3, `${after.length} level readings after the barge-in`);
        t.ok(loudBefore > FLOOR, `the bot was speaking before it (RMS ${loudBefore.toFixed(3)})`);
        t.ok(quietAfter < FLOOR / 3, `and its audio stopped after (RMS ${quietAfter.toFixed(4)})`);
        await waitForEvent(page, "e.type === 'transcript' && e.isFinal && e.text === 'hello there'", 5000);
        t.pass('the interruption is transcribed');
        t.comment(`${transport}: ${Date.now() - started} ms`);
        await page.click('#talk');
        await page.context().close();
      });
    }
    t.same(pageProblems(browser), [], 'no page errors or CSP violations');
  });

  t.teardown(() => t.comment(`console browser tests took ${Date.now() - began} ms`));
});
