import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { REPO_ROOT } from '../helpers/processes.ts';
import { PEOPLE, type Person, passwordOf } from './world.ts';

export const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts', 'console');
export const CHROMIUM = process.env.DLB_CHROMIUM ?? '/usr/bin/chromium';

/** Builds console-ui/dist when missing or older than its sources (the same script `npm start` runs). */
export function buildConsole(): void {
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'console-ui', 'scripts', 'ensure-built.mjs')], {
    cwd: REPO_ROOT,
    stdio: 'pipe',
  });
}

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--lang=zh-CN'],
  });
}

export interface Session {
  context: BrowserContext;
  page: Page;
  /** Page errors and console errors seen so far (a working console has none). */
  errors: string[];
  /** Every socket.io frame the page received, as text. */
  frames: string[];
}

/**
 * A fresh browser profile (its own cookies) logged in through the login page as `who`: one of the world's
 * people, or an account a test made itself.
 */
export async function loginAs(
  browser: Browser,
  base: string,
  who: Person | { username: string; password: string },
): Promise<Session> {
  const login = typeof who === 'string' ? { username: PEOPLE[who].username, password: passwordOf(who) } : who;
  const context = await browser.newContext({
    viewport: { width: 1366, height: 768 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  const frames: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // A refused API call is logged by Chromium as a failed resource load; those are asserted on the page.
    if (m.type() === 'error' && !m.text().includes('Failed to load resource'))
      errors.push(`console: ${m.text()}`);
  });
  page.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(String(f.payload))));
  await page.goto(`${base}/`);
  await page.fill('input[name=username]', login.username);
  await page.fill('input[name=password]', login.password);
  await page.click('button[type=submit]');
  await page.waitForSelector('.sidenav', { timeout: 15_000 });
  await page.waitForSelector('.live-on', { timeout: 15_000 });
  return { context, page, errors, frames };
}

/** Saves a screenshot of the page as test-artifacts/console/<name>.png. */
export async function shot(page: Page, name: string, fullPage = false): Promise<string> {
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

/** The visible labels of the left navigation. */
export async function navLabels(page: Page): Promise<string[]> {
  return (await page.locator('.sidenav li a').allTextContents()).map((s) => s.trim());
}
