import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError } from '../helpers/api-client.ts';
import { CHROMIUM, shot } from './browser.ts';
import { consoleSuite } from './suite.ts';
import { DAXU, PASSWORD, TANXIA } from './world.ts';

const haveChromium = existsSync(CHROMIUM);

/** An emergency officer for 大圩镇 only (made by this suite; the world's officer is county-wide). */
const DAXU_OFFICER = { username: 'daxu.officer', password: PASSWORD };

interface AlertView {
  revision: number;
  drill: boolean;
  level: string;
  title: string;
  text: string;
  area: { codes: string[]; terminalIds: string[] };
}

describe.skipIf(!haveChromium && !process.env.CI)(
  'updating an alert from its card in the web console',
  () => {
    const suite = consoleSuite('dlb-console-alert-update-', async (world) => {
      await world.api.call('POST', '/api/users', {
        ...DAXU_OFFICER,
        displayName: '大圩镇应急值守员',
        roles: [{ role: 'emergency_officer', scopeCode: DAXU }],
        mustChangePassword: false,
      });
    });

    it('a county officer raises a drill to one township, then updates its title, level and area; others may not', async () => {
      const { world } = suite;
      const officer = await suite.login('officer');
      const page = officer.page;
      await page.goto(`${world.url}/emergency`);
      await page.getByRole('tab', { name: '应急演练' }).click();
      const form = page.locator('[data-testid=drill-form]');
      await form.getByLabel('文本模板').selectOption({ label: '山洪' });
      await form.getByRole('checkbox', { name: '大圩镇', exact: true }).check();
      await form.getByRole('button', { name: '发布演练' }).click();
      await page.locator('dialog input[name=confirm-word]').fill('演练');
      await page.locator('dialog').getByRole('button', { name: '发布演练' }).click();
      const card = page.locator('.alert-card-drill');
      await card.waitFor({ timeout: 15_000 });
      const alertId = (await card.getAttribute('data-alert'))!;
      const before = (await world.api.call<{ alert: AlertView }>('GET', `/api/alerts/${alertId}`)).alert;
      expect(before).toMatchObject({ revision: 1, drill: true, level: 'orange', area: { codes: [DAXU] } });

      // While the drill covers 大圩镇 alone, 大圩镇's own officer may update it too.
      const township = await suite.login(DAXU_OFFICER);
      await township.page.goto(`${world.url}/emergency`);
      const theirCard = township.page.locator(`[data-alert="${alertId}"]`);
      await theirCard.getByRole('button', { name: '修改', exact: true }).waitFor();

      // The update dialog, prefilled from the drill.
      await card.getByRole('button', { name: '修改', exact: true }).click();
      const dialog = page.locator('dialog[open]');
      await dialog.locator('[data-testid=alert-update]').waitFor();
      expect(await dialog.locator('input[name=alert-title]').inputValue()).toBe(before.title);
      expect(await dialog.locator('textarea[name=alert-text]').inputValue()).toBe(before.text);
      expect(await dialog.getByRole('radio', { name: 'Ⅱ级（橙色）' }).isChecked()).toBe(true);
      expect(await dialog.getByRole('checkbox', { name: '大圩镇', exact: true }).isChecked()).toBe(true);
      const newTitle = '山洪预警（已更新）';
      await dialog.locator('input[name=alert-title]').fill(newTitle);
      await dialog.getByRole('radio', { name: 'Ⅰ级（红色）' }).check();
      await dialog.getByRole('checkbox', { name: '潭下镇', exact: true }).check();
      await expect
        .poll(() => dialog.locator('[data-testid=update-summary]').textContent())
        .toBe('应急演练 · Ⅰ级（红色） · 大圩镇、潭下镇');
      const submit = dialog.getByRole('button', { name: '确认更新' });
      expect(await submit.isDisabled()).toBe(true);
      await dialog.locator('input[name=confirm-word]').fill('更新');
      await shot(page, '22-alert-update-dialog');
      await submit.click();
      await page.locator('.toast', { hasText: '预警已更新（第 2 版）' }).waitFor();
      await page.locator('dialog[open]').waitFor({ state: 'detached' });
      await expect.poll(() => card.locator('.alert-title').textContent()).toBe(newTitle);
      await expect.poll(() => card.locator('.badge-level-red').count()).toBe(1);
      await shot(page, '23-alert-updated');

      const after = (await world.api.call<{ alert: AlertView }>('GET', `/api/alerts/${alertId}`)).alert;
      expect(after).toMatchObject({
        revision: 2,
        drill: true,
        level: 'red',
        title: newTitle,
        text: before.text,
      });
      expect([...after.area.codes].sort()).toEqual([DAXU, TANXIA].sort());
      expect(after.area.terminalIds).toEqual([]);

      // A county operator (no alert.raise) sees the drill but may neither update nor cancel it.
      const operator = await suite.login('operator');
      await operator.page.goto(`${world.url}/emergency`);
      const opCard = operator.page.locator(`[data-alert="${alertId}"]`);
      await expect.poll(() => opCard.locator('.alert-title').textContent()).toBe(newTitle);
      expect(await opCard.getByRole('button', { name: /修改|一键取消/ }).count()).toBe(0);

      // Now that it reaches 潭下镇 too, 大圩镇's officer no longer gets the button, and the centre refuses them.
      await township.page.reload();
      await expect.poll(() => theirCard.locator('.alert-title').textContent()).toBe(newTitle);
      expect(await theirCard.getByRole('button', { name: /修改|一键取消/ }).count()).toBe(0);
      const townshipApi = new ApiClient(world.url);
      await townshipApi.login(DAXU_OFFICER.username, DAXU_OFFICER.password);
      const refused = await townshipApi
        .call('PUT', `/api/alerts/${alertId}`, {
          level: 'blue',
          eventCode: '11B03',
          issuer: '大圩镇',
          area: { codes: [DAXU] },
          expiresAt: Date.now() + 3_600_000,
          title: '越权修改',
          text: '越权修改的内容',
          repeat: 1,
          intervalSec: 0,
        })
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ApiError);
      expect((refused as ApiError).status).toBe(403);
      expect(
        (await world.api.call<{ alert: AlertView }>('GET', `/api/alerts/${alertId}`)).alert.revision,
      ).toBe(2);
      expect(suite.errors()).toEqual([]);
    });
  },
);
