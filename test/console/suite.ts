import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { tempDir } from '../helpers/fleet.ts';
import { buildConsole, launchBrowser, loginAs, type Session } from './browser.ts';
import { type ConsoleWorld, type Person, startConsoleWorld } from './world.ts';

export interface ConsoleSuite {
  readonly world: ConsoleWorld;
  readonly browser: Browser;
  /** A new browser session logged in as `who` (closed after the suite). */
  login(who: Person | { username: string; password: string }): Promise<Session>;
  /** Page and console errors of every session so far (a working console has none). */
  errors(): string[];
}

/**
 * Registers a describe block's hooks: the console built, a console world (in a temporary directory named by
 * `prefix`) and Chromium started before, everything stopped and removed after. `setup` runs once the world
 * is up (e.g. extra accounts).
 */
export function consoleSuite(prefix: string, setup?: (world: ConsoleWorld) => Promise<void>): ConsoleSuite {
  const tmp = tempDir(prefix);
  let world: ConsoleWorld | undefined;
  let browser: Browser | undefined;
  const sessions: Session[] = [];
  beforeAll(async () => {
    buildConsole();
    [world, browser] = await Promise.all([startConsoleWorld(tmp.dir), launchBrowser()]);
    await setup?.(world);
  }, 90_000);
  afterAll(async () => {
    for (const s of sessions) await s.context.close().catch(() => {});
    await browser?.close();
    await world?.stop();
    await tmp.cleanup();
  });
  return {
    get world() {
      return world!;
    },
    get browser() {
      return browser!;
    },
    async login(who) {
      const s = await loginAs(browser!, world!.url, who);
      sessions.push(s);
      return s;
    },
    errors: () => sessions.flatMap((s) => s.errors),
  };
}
