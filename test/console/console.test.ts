import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ApiClient } from '../helpers/api-client.ts';
import { makeTone } from '../helpers/audio.ts';
import { tempDir } from '../helpers/fleet.ts';
import { eventually } from '../helpers/processes.ts';
import { buildConsole, CHROMIUM, launchBrowser, loginAs, navLabels, type Session, shot } from './browser.ts';
import {
  type ConsoleWorld,
  DAXU,
  PEOPLE,
  type Person,
  passwordOf,
  startConsoleWorld,
  TANXIA,
} from './world.ts';

/** The Beijing date of an instant, YYYY-MM-DD. */
const beijingDate = (ms: number) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(ms));

const NAV_ALL = ['总览', '内容库', '节目编排', '立即播发', '应急广播', '终端', '终端分组'];
const EXPECTED_NAV: Record<Person, string[]> = {
  admin: [...NAV_ALL, '用户与角色', '审计记录', '时段表', '预警信息源'],
  operator: NAV_ALL,
  reviewer: ['总览', '内容库', '审核', '节目编排', '立即播发', '应急广播', '终端', '终端分组'],
  township: NAV_ALL,
  officer: NAV_ALL,
  auditor: [...NAV_ALL, '用户与角色', '审计记录', '时段表'],
};

/** Without Chromium the suite says so and skips locally; under CI (which installs it) it must run. */
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && !process.env.CI)
  console.warn(`${CHROMIUM} 不存在：跳过控制台浏览器测试（apt-get install chromium fonts-noto-cjk）`);

/** How the top bar names each person's role and scope. */
const ROLE_SHOWN: Record<Person, string> = {
  admin: '县级管理员·全县',
  operator: '县级编播员·全县',
  reviewer: '县级审核员·全县',
  township: '乡镇编播员·大圩镇',
  officer: '应急值守员·全县',
  auditor: '审计员·全县',
};

describe.skipIf(!haveChromium && !process.env.CI)(
  'the web console in Chromium against a real centre and simulated terminals',
  () => {
    const tmp = tempDir('dlb-console-');
    let world: ConsoleWorld;
    let browser: Browser;
    const sessions = new Map<Person, Session>();
    let contentId = '';
    const title = '停水通知（测试）';

    const as = async (who: Person): Promise<Page> => {
      let s = sessions.get(who);
      if (!s) {
        s = await loginAs(browser, world.url, who);
        sessions.set(who, s);
      }
      return s.page;
    };
    const api = async (who: Person) => {
      const c = new ApiClient(world.url);
      await c.login(PEOPLE[who].username, passwordOf(who));
      return c;
    };

    beforeAll(async () => {
      buildConsole();
      [world, browser] = await Promise.all([startConsoleWorld(tmp.dir), launchBrowser()]);
    }, 90_000);

    afterAll(async () => {
      for (const s of sessions.values()) await s.context.close().catch(() => {});
      await browser?.close();
      await world?.stop();
      await tmp.cleanup();
    });

    it('logs in each kind of user and shows each only the pages they may use', async () => {
      for (const who of Object.keys(PEOPLE) as Person[]) {
        const page = await as(who);
        expect(await navLabels(page), who).toEqual(EXPECTED_NAV[who]);
        await expect.poll(() => page.locator('[data-testid=who]').textContent()).toContain(ROLE_SHOWN[who]);
      }
      const admin = await as('admin');
      await admin.goto(`${world.url}/overview`);
      await expect
        .poll(() => admin.locator('[data-testid=count-online] .stat-value').textContent())
        .toBe('3');
      await shot(admin, '01-overview');
      await admin.getByRole('button', { name: '地图' }).click();
      await admin.locator('svg.map circle').first().waitFor();
      expect(await admin.locator('svg.map circle').count()).toBe(3);
      await shot(admin, '01b-overview-map');
    });

    it('operator creates an item from text in two language versions, previews it and submits it', async () => {
      const page = await as('operator');
      await page.goto(`${world.url}/content/new?mode=text`);
      await page.fill('input[name=title]', '防汛知识（文字转语音）');
      await page.fill('textarea[name=script]', '各位村民，汛期来临，请注意防范山洪和地质灾害。');
      // Mandarin and 桂柳话 are chosen by default (the county's version order); listen to the Mandarin one.
      await page.locator('[data-testid=version-picker] .version-row.on').first().waitFor();
      await page.getByRole('button', { name: '试听合成效果' }).first().click();
      const heard = page.locator('[data-testid=tts-preview], .preview .error-box').first();
      await heard.waitFor({ timeout: 40_000 });
      await shot(page, '02-content-from-text');
      expect(await page.locator('.preview .error-box').allTextContents()).toEqual([]);
      await page.getByRole('button', { name: '保存并报送审核' }).click();
      await page.waitForURL(/\/content\/c[0-9a-f]{16}$/);
      await page.locator('.badge', { hasText: '待审核' }).waitFor();
      const versions = page.locator('[data-testid=versions] tr');
      await expect.poll(() => versions.count(), { timeout: 15_000 }).toBe(2);
      expect((await versions.allTextContents()).map((r) => r.slice(0, 3))).toEqual(['普通话', '桂柳话']);
      await shot(page, '02b-content-from-text-submitted');
    });

    it('operator uploads audio with a progress bar and submits it for review', async () => {
      const page = await as('operator');
      const wav = path.join(tmp.dir, 'notice.wav');
      makeTone(wav, 2);
      await page.goto(`${world.url}/content/new?mode=upload`);
      await page.fill('input[name=title]', title);
      await page.fill('textarea[name=script]', '明天上午八点到十二点，大圩镇停水，请提前储水。');
      // Notes whether the progress bar was ever shown (the upload of a local file is over in a moment).
      await page.evaluate(`new MutationObserver((_, o) => {
        if (document.querySelector('[role=progressbar]')) { window.sawProgress = true; o.disconnect(); }
      }).observe(document.body, { childList: true, subtree: true })`);
      await page.setInputFiles('[data-testid=upload-file]', wav);
      await page.locator('[data-testid=media-ready]').waitFor({ timeout: 30_000 });
      expect(await page.evaluate('window.sawProgress === true')).toBe(true);
      await shot(page, '03-content-upload');
      await page.getByRole('button', { name: '保存并报送审核' }).click();
      await page.waitForURL(/\/content\/c[0-9a-f]{16}$/);
      contentId = page.url().split('/').pop()!;
      await page.locator('.badge', { hasText: '待审核' }).waitFor();
      await page.locator('[data-testid=history] li').nth(1).waitFor();
      await shot(page, '03c-content-detail');
      await page.goto(`${world.url}/content`);
      await page.locator(`tr[data-content="${contentId}"]`).waitFor();
      await shot(page, '03b-content-library');
    });

    it('a reviewer listens, reads and approves it; the history shows each step', async () => {
      const page = await as('reviewer');
      await page.goto(`${world.url}/review`);
      await page.locator('[data-testid=review-list] .pick', { hasText: title }).click();
      await page.locator('[data-testid=history] li').first().waitFor();
      await shot(page, '04-review');
      await page.getByRole('button', { name: '通过', exact: true }).click();
      await page.locator('.toast', { hasText: '已审核通过' }).waitFor();
      const { item, history } = await world.api.call<{
        item: { state: string };
        history: Array<{ action: string }>;
      }>('GET', `/api/content/${contentId}`);
      expect(item.state).toBe('approved');
      expect(history.map((h) => h.action)).toEqual(['create', 'submit', 'approve']);
    });

    it("operator drags the approved item into tomorrow's morning slot", async () => {
      const page = await as('operator');
      const tomorrow = beijingDate(Date.now() + 86_400_000);
      await page.goto(`${world.url}/schedule`);
      const cell = page.locator(`tr[data-date="${tomorrow}"] td[data-slot="morning"]`);
      const item = page.locator(`[data-testid=library] li[data-content="${contentId}"]`);
      await item.waitFor();
      await item.dragTo(cell);
      await cell.locator('.chip', { hasText: title }).waitFor({ timeout: 15_000 });
      await expect.poll(() => cell.locator('.fill-label').textContent()).toMatch(/2 秒 \/ 30 分 00 秒/);
      const { programmes } = await world.api.call<{
        programmes: Array<{ slotId: string; items: Array<{ contentId: string }> }>;
      }>('GET', `/api/programmes?from=${tomorrow}&to=${tomorrow}`);
      expect(programmes.find((p) => p.slotId === 'morning')?.items.map((i) => i.contentId)).toEqual([
        contentId,
      ]);
      // Without a mouse: choose the item, then "加入所选" in tomorrow's noon slot.
      await item.getByRole('button').click();
      const noon = page.locator(`tr[data-date="${tomorrow}"] td[data-slot="noon"]`);
      await noon.getByRole('button', { name: /加入所选/ }).click();
      await noon.locator('.chip', { hasText: title }).waitFor({ timeout: 15_000 });
      await shot(page, '05-schedule');
      // Copy tomorrow to the day after.
      const after = beijingDate(Date.now() + 2 * 86_400_000);
      await page.locator(`tr[data-date="${tomorrow}"]`).getByRole('button', { name: '复制这一天' }).click();
      await page.locator('dialog input[placeholder="YYYY-MM-DD"]').fill(after);
      await page.locator('dialog').getByRole('button', { name: '确认' }).click();
      await page.locator('.toast', { hasText: '已复制 2 个节目' }).waitFor();
      for (const slot of ['morning', 'noon'])
        await page
          .locator(`tr[data-date="${after}"] td[data-slot="${slot}"] .chip`, { hasText: title })
          .waitFor();
    });

    it('a broadcast to one township shows its terminals turning to played in the live view', async () => {
      const page = await as('operator');
      await page.goto(`${world.url}/broadcast`);
      await page.getByRole('checkbox', { name: '大圩镇', exact: true }).check();
      await page.locator(`input[type=radio][value="${contentId}"]`).check();
      await expect.poll(() => page.locator('[data-testid=target-summary]').textContent()).toBe('大圩镇');
      await shot(page, '06-broadcast-choose');
      await page.locator('.send-bar').getByRole('button', { name: '立即播发' }).click();
      await page.locator('dialog').getByRole('button', { name: '确认' }).click();
      await page.waitForURL(/\/broadcast\/b[a-z0-9]+$/);
      const rows = page.locator('[data-testid=outcomes] tr[data-terminal]');
      await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(world.terminals[DAXU]!.length);
      // Watch the rows change as the reports come in: delivered/playing first, then played.
      const seen = new Set<string | null>();
      await eventually(
        async () => {
          const states = await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-outcome')));
          if (states.includes('2') && !seen.has('2')) await shot(page, '07a-broadcast-playing');
          for (const x of states) seen.add(x);
          return states.length === world.terminals[DAXU]!.length && states.every((x) => x === '3');
        },
        30_000,
        'every terminal of 大圩镇 played',
      );
      expect(seen.has('2') || seen.has('1'), [...seen].join()).toBe(true);
      expect(await page.locator('[data-testid=outcome-3] .stat-value').textContent()).toBe('2');
      await shot(page, '07-broadcast-live');
    });

    it('a township user sees only its township, on the page and on its socket', async () => {
      const page = await as('township');
      const s = sessions.get('township')!;
      await page.goto(`${world.url}/overview`);
      await expect.poll(() => page.locator('[data-testid=count-total] .stat-value').textContent()).toBe('2');
      expect(await page.locator('.tree-township').count()).toBe(1);
      const shown = await page
        .locator('[data-testid=terminal-table] tr[data-terminal]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-terminal')));
      expect(shown.sort()).toEqual([...world.terminals[DAXU]!].sort());
      // A county-wide broadcast: the township's console hears its own terminals, never 潭下镇's.
      const operator = await api('operator');
      await operator.call('POST', '/api/broadcasts', { contentId, target: { kind: 'county' } });
      await eventually(
        () =>
          world.terminals[DAXU]!.every((tid) =>
            s.frames.some((f) => f.includes(tid) && f.includes('broadcast:outcome')),
          ),
        30_000,
        'township console hears its terminals',
      );
      await new Promise((r) => setTimeout(r, 1500));
      for (const tid of world.terminals[TANXIA]!) expect(s.frames.some((f) => f.includes(tid))).toBe(false);
      await shot(page, '08-township-overview');
      await page.goto(`${world.url}/schedule`);
      await expect
        .poll(() => page.locator('select[name=scope] option').allTextContents())
        .toEqual(['大圩镇']);
      await page.locator('.cell-part-county .chip').first().waitFor();
      await shot(page, '08b-township-schedule');
    });

    it('the emergency officer raises a drill with a typed confirmation, watches coverage, then cancels it', async () => {
      const page = await as('officer');
      await page.goto(`${world.url}/emergency`);
      await page.locator('[data-testid=real-form]').waitFor();
      await shot(page, '09-emergency-real');
      await page.getByRole('tab', { name: '应急演练' }).click();
      const form = page.locator('[data-testid=drill-form]');
      await form.getByLabel('文本模板').selectOption({ label: '山洪' });
      await form.getByRole('checkbox', { name: '大圩镇', exact: true }).check();
      await form.getByRole('button', { name: '发布演练' }).click();
      const dialog = page.locator('dialog');
      await expect.poll(() => dialog.getByRole('button', { name: '发布演练' }).isDisabled()).toBe(true);
      await dialog.locator('input[name=confirm-word]').fill('演练');
      await dialog.getByRole('button', { name: '发布演练' }).click();
      const card = page.locator('.alert-card-drill');
      await card.waitFor({ timeout: 15_000 });
      await expect
        .poll(() => card.locator('.progress-label').textContent(), { timeout: 40_000 })
        .toMatch(/正在播出 1 \/ 1/);
      await shot(page, '10-emergency-drill-coverage');
      const alertId = await card.getAttribute('data-alert');
      await card.getByRole('button', { name: '一键取消' }).click();
      await page.locator('.toast', { hasText: '已取消' }).waitFor();
      const { alert } = await world.api.call<{ alert: { status: string; drill: boolean } }>(
        'GET',
        `/api/alerts/${alertId}`,
      );
      expect(alert).toMatchObject({ status: 'cancelled', drill: true });
      await expect.poll(() => page.locator('.alert-card').count()).toBe(0);
    });

    it('terminal detail: event history, volume, and provisioning downloads the agent config', async () => {
      const page = await as('admin');
      const tid = world.terminals[DAXU]![0]!;
      await page.goto(`${world.url}/terminals/${tid}`);
      await page.locator('.events li').first().waitFor();
      await page.locator('input[type=range]').fill('60');
      await page.getByRole('button', { name: '设置音量' }).click();
      await page.locator('.toast', { hasText: '音量指令已发送' }).waitFor();
      await expect.poll(() => page.locator('.props dd').nth(4).textContent(), { timeout: 15_000 }).toBe('60');
      await shot(page, '11-terminal-detail');
      await page.goto(`${world.url}/terminals`);
      await page.getByRole('button', { name: '登记新终端' }).click();
      const dialog = page.locator('dialog');
      await dialog.locator('select').first().selectOption({ label: '大圩镇' });
      await dialog.locator('select[name=village]').selectOption({ index: 3 });
      const download = page.waitForEvent('download');
      await dialog.getByRole('button', { name: '登记新终端' }).click();
      const file = await download;
      expect(file.suggestedFilename()).toMatch(/^agent-6\d{22}\.json$/);
      const config = JSON.parse(await readFile((await file.path())!, 'utf8'));
      expect(config).toMatchObject({
        terminalId: expect.any(String),
        mqtt: { password: expect.any(String) },
      });
      await page.waitForURL(/\/terminals\/6\d{22}$/);
      // Rotating its credentials asks first, then downloads the new config (the old secret stops working).
      page.once('dialog', (d) => void d.accept());
      const rotated = page.waitForEvent('download');
      await page.getByRole('button', { name: '更换密钥' }).click();
      const again = JSON.parse(await readFile((await (await rotated).path())!, 'utf8'));
      expect(again.terminalId).toBe(config.terminalId);
      expect(again.mqtt.password).not.toBe(config.mqtt.password);
      await page.locator('.toast', { hasText: '密钥已更换' }).waitFor();
    });

    it('administration: users and roles, audit log with filters, schedule file status', async () => {
      const page = await as('admin');
      await page.goto(`${world.url}/admin/users`);
      await page.locator('[data-testid=users] tr', { hasText: 'daxu.clerk' }).waitFor();
      await shot(page, '12-admin-users');
      await page.goto(`${world.url}/admin/audit`);
      await page.getByLabel('操作（如 auth. ）').fill('broadcast.');
      await page.getByRole('button', { name: '搜索' }).click();
      await expect
        .poll(
          async () =>
            (await page.locator('[data-testid=audit] tbody td.mono').allTextContents()).filter((a) =>
              a.startsWith('broadcast.'),
            ).length,
        )
        .toBeGreaterThanOrEqual(2);
      const actions = await page.locator('[data-testid=audit] tbody tr td:nth-child(4)').allTextContents();
      expect(actions.every((a) => a.startsWith('broadcast.'))).toBe(true);
      await shot(page, '13-admin-audit');
      await page.goto(`${world.url}/admin/schedule`);
      await page.locator('.props').waitFor();
      await shot(page, '14-admin-schedule');
    });

    it('leaves out every action a user may not take', async () => {
      const auditor = await as('auditor');
      const tid = world.terminals[DAXU]![0]!;
      await auditor.goto(`${world.url}/content`);
      await auditor.locator('[data-testid=content-table]').waitFor();
      expect(await auditor.getByRole('link', { name: '上传音频' }).count()).toBe(0);
      await auditor.goto(`${world.url}/broadcast`);
      await auditor.getByText('最近的播发').waitFor();
      expect(await auditor.getByText('选择播发对象').count()).toBe(0);
      await auditor.goto(`${world.url}/emergency`);
      await auditor.getByText('正在生效的预警与演练').waitFor();
      expect(await auditor.locator('.mode-switch, .alert-form').count()).toBe(0);
      await auditor.goto(`${world.url}/terminals/${tid}`);
      await auditor.locator('.props').waitFor();
      expect(await auditor.getByRole('button', { name: /设置音量|更换密钥|停用/ }).count()).toBe(0);
      await auditor.goto(`${world.url}/admin/users`);
      await auditor.locator('[data-testid=users]').waitFor();
      expect(await auditor.getByRole('button', { name: '新建用户' }).count()).toBe(0);
      await auditor.goto(`${world.url}/review`);
      await auditor.getByText('您没有权限执行此操作').waitFor();
      const reviewer = await as('reviewer');
      await reviewer.goto(`${world.url}/schedule`);
      await reviewer.locator('[data-testid=board]').waitFor();
      expect(await reviewer.locator('[data-testid=library], .btn-add, .chip-x').count()).toBe(0);
      for (const [who, s] of sessions) expect(s.errors, who).toEqual([]);
    });
  },
);
