import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHROMIUM, shot } from './browser.ts';
import { consoleSuite } from './suite.ts';
import { DAXU, TANXIA } from './world.ts';

const haveChromium = existsSync(CHROMIUM);

interface Group {
  id: string;
  name: string;
  scopeCode: string;
  terminalIds: string[];
}

describe.skipIf(!haveChromium && !process.env.CI)('terminal groups in the web console', () => {
  const suite = consoleSuite('dlb-console-groups-');

  it('an officer makes a county group of two terminals and raises a drill to it alone; an operator only reads', async () => {
    const { world } = suite;
    const { terminals } = await world.api.call<{ terminals: Array<{ id: string; name: string }> }>(
      'GET',
      '/api/terminals',
    );
    const nameOf = (id: string) => terminals.find((x) => x.id === id)!.name;
    // One of 大圩镇's two terminals (the one chosen for drills) and 潭下镇's only one.
    const members = [world.terminals[DAXU]![0]!, world.terminals[TANXIA]![0]!];
    const groupName = '沿河喇叭';

    const officer = await suite.login('officer');
    const page = officer.page;
    await page.getByRole('link', { name: '终端分组' }).click();
    await page.getByRole('button', { name: '新建分组' }).click();
    const dialog = page.locator('dialog');
    await dialog.locator('input[name=group-name]').fill(groupName);
    await expect.poll(() => dialog.locator('select[name=scope]').inputValue()).toBe('450323');
    for (const township of ['大圩镇', '潭下镇'])
      await dialog.locator(`.tree-toggle[aria-label="${township}"]`).click();
    for (const tid of members) await dialog.getByRole('checkbox', { name: nameOf(tid), exact: true }).check();
    await dialog.getByText('已选 2 台终端').waitFor();
    await shot(page, '20a-terminal-group-editor');
    await dialog.getByRole('button', { name: '保存' }).click();
    await page.locator('.toast', { hasText: '分组已创建' }).waitFor();
    const row = page.locator('[data-testid=groups] tr', { hasText: groupName });
    await row.waitFor();
    expect(await row.locator('.group-scope').textContent()).toBe('全县（灵川县）');
    expect(await row.locator('.group-count').textContent()).toBe('2');
    await shot(page, '20-terminal-groups');
    const { groups } = await world.api.call<{ groups: Group[] }>('GET', '/api/terminal-groups');
    const group = groups.find((g) => g.name === groupName)!;
    expect(group).toMatchObject({ scopeCode: '450323' });
    expect([...group.terminalIds].sort()).toEqual([...members].sort());

    // The drill names only the group: no division ticked.
    await page.getByRole('link', { name: '应急广播' }).click();
    await page.getByRole('tab', { name: '应急演练' }).click();
    const form = page.locator('[data-testid=drill-form]');
    await form.getByLabel('文本模板').selectOption({ label: '山洪' });
    await form.locator('[data-testid=alert-groups]').getByRole('checkbox', { name: groupName }).check();
    await expect
      .poll(() => form.locator('[data-testid=alert-area]').textContent())
      .toBe('沿河喇叭（分组，2 个终端）');
    await form.getByRole('button', { name: '发布演练' }).click();
    await expect.poll(() => page.locator('dialog .confirm-summary').textContent()).toContain(groupName);
    await page.locator('dialog input[name=confirm-word]').fill('演练');
    await page.locator('dialog').getByRole('button', { name: '发布演练' }).click();
    const card = page.locator('.alert-card-drill');
    await card.waitFor({ timeout: 15_000 });
    await shot(page, '21-drill-to-group');
    const { alert } = await world.api.call<{
      alert: { drill: boolean; area: { codes: string[]; groups: string[]; terminalIds: string[] } };
    }>('GET', `/api/alerts/${await card.getAttribute('data-alert')}`);
    expect(alert.drill).toBe(true);
    expect(alert.area.groups).toEqual([group.id]);
    expect(alert.area.codes).toEqual([]);
    expect([...alert.area.terminalIds].sort()).toEqual([...members].sort());

    // A county operator (terminal.read, no group.manage) sees the group but cannot create, edit or delete.
    const operator = await suite.login('operator');
    await operator.page.goto(`${world.url}/terminal-groups`);
    await operator.page.locator('[data-testid=groups] tr', { hasText: groupName }).waitFor();
    expect(await operator.page.getByRole('button', { name: /新建分组|修改|删除/ }).count()).toBe(0);
    expect(suite.errors()).toEqual([]);
  });
});
