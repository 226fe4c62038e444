/**
 * Driving the console page (plugins/console/page) in a browser test: open it with a key, start a
 * call, and read what `window.vapiConsole` recorded (SDK events and audio levels, each with the
 * page's performance.now() time).
 */
import type { Page } from 'playwright-core';
import type { LaunchedBrowser } from './browser.js';

export interface ConsoleEvent {
  t: number;
  type: string;
  [key: string]: unknown;
}

export interface Level {
  t: number;
  bot: number;
  mic: number;
}

export interface TalkOptions {
  /** The console's origin, e.g. `http://127.0.0.1:PORT` (the SDK connects back to it). */
  origin: string;
  apiKey: string;
  assistant: string;
  /** '' (automatic), 'webrtc' or 'websocket'. */
  transport: string;
  /** Script run in the page before its own (page.addInitScript). */
  initScript?: string;
}

/** Opens the console, enters the key, picks the assistant and transport (no audio processing), clicks Talk. */
export async function openConsoleAndTalk(browser: LaunchedBrowser, options: TalkOptions): Promise<Page> {
  const page = await browser.newPage();
  if (options.initScript) await page.addInitScript(options.initScript);
  await page.goto(`${options.origin}/`);
  await page.fill('#api-key', options.apiKey);
  await page.click('#key-form button[type=submit]');
  await page.waitForSelector(`#assistant option[value="${options.assistant}"]`, { state: 'attached', timeout: 10_000 });
  await page.selectOption('#assistant', options.assistant);
  await page.click('details summary');
  await page.selectOption('#transport', options.transport);
  await page.uncheck('#processing'); // no echo cancellation, noise suppression or AGC on the test tone
  await page.click('#talk');
  return page;
}

export const consoleEvents = (page: Page) => page.evaluate('window.vapiConsole.events') as Promise<ConsoleEvent[]>;
export const consoleLevels = (page: Page) => page.evaluate('window.vapiConsole.levels') as Promise<Level[]>;

/**
 * Polls a page expression until it is truthy. (page.waitForFunction with a string evaluates it
 * with eval, which the console's Content-Security-Policy forbids; page.evaluate is not affected.)
 */
export async function waitForPage(page: Page, expression: string, timeout: number): Promise<boolean> {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await page.evaluate(`Boolean(${expression})`)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits for a recorded event matching `condition` (a JS expression over `e`); throws after `timeout`. */
export async function waitForConsoleEvent(page: Page, condition: string, timeout = 15_000): Promise<ConsoleEvent> {
  if (!(await waitForPage(page, `window.vapiConsole && window.vapiConsole.events.some((e) => ${condition})`, timeout))) {
    throw new Error(`no console event with ${condition} within ${timeout} ms`);
  }
  return (await page.evaluate(`window.vapiConsole.events.find((e) => ${condition})`)) as ConsoleEvent;
}

/** Page errors and Content-Security-Policy violations the page logged. */
export const pageProblems = (browser: LaunchedBrowser) => browser.logs.filter((line) => line.startsWith('pageerror') || /Content Security Policy|Refused to/.test(line));
