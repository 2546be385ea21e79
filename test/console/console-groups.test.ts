import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api-client.ts';
import { makeTone } from '../helpers/audio.ts';
import { CHROMIUM, shot } from './browser.ts';
import { consoleSuite } from './suite.ts';
import { COUNTY, type ConsoleWorld, DAXU, PASSWORD, TANXIA } from './world.ts';

const haveChromium = existsSync(CHROMIUM);

interface Group {
  id: string;
  name: string;
  scopeCode: string;
  terminalIds: string[];
}

/** County-wide reader, but broadcasts only in 大圩镇: sees the county group, may send to only part of it. */
const MIXED = { username: 'daxu.mixed', password: PASSWORD };
const CONTENT_TITLE = '分组播发测试音';

/** A short tone approved for the county (written by the admin, approved by the world's reviewer). */
async function approvedTone(world: ConsoleWorld): Promise<void> {
  const wav = path.join(world.centre.config.dataDir, '..', 'group-tone.wav');
  makeTone(wav, 1);
  const { media } = await world.api.upload(wav);
  const { item } = await world.api.call<{ item: { id: string } }>('POST', '/api/content', {
    title: CONTENT_TITLE,
    scopeCode: COUNTY,
    mediaSha256: media.sha256,
  });
  await world.api.call('POST', `/api/content/${item.id}/submit`);
  const reviewer = new ApiClient(world.url);
  await reviewer.login('reviewer', PASSWORD);
  await reviewer.call('POST', `/api/content/${item.id}/approve`);
}

/** Each terminal's name by id, as the console shows it. */
async function terminalNames(world: ConsoleWorld): Promise<(id: string) => string> {
  const { terminals } = await world.api.call<{ terminals: Array<{ id: string; name: string }> }>(
    'GET',
    '/api/terminals',
  );
  return (id) => terminals.find((x) => x.id === id)!.name;
}

describe.skipIf(!haveChromium && !process.env.CI)('terminal groups in the web console', () => {
  const suite = consoleSuite('dlb-console-groups-', async (world) => {
    await world.api.call('POST', '/api/users', {
      username: MIXED.username,
      displayName: '大圩镇编播员（兼县审核）',
      password: MIXED.password,
      roles: [
        { role: 'county_reviewer', scopeCode: null },
        { role: 'township_operator', scopeCode: DAXU },
      ],
      mustChangePassword: false,
    });
    await approvedTone(world);
  });
  const groupName = '沿河喇叭';
  /** One of 大圩镇's two terminals (the one chosen for drills) and 潭下镇's only one. */
  const groupMembers = () => [suite.world.terminals[DAXU]![0]!, suite.world.terminals[TANXIA]![0]!];

  it('an officer makes a county group of two terminals and raises a drill to it alone; an operator only reads', async () => {
    const { world } = suite;
    const nameOf = await terminalNames(world);
    const members = groupMembers();

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

  it('立即播发 by group sends to exactly its members; members the sender may not reach are skipped', async () => {
    const { world } = suite;
    const { groups } = await world.api.call<{ groups: Group[] }>('GET', '/api/terminal-groups');
    const group = groups.find((g) => g.name === groupName)!;
    const members = groupMembers();
    expect([...group.terminalIds].sort()).toEqual([...members].sort());
    const nameOf = await terminalNames(world);

    const { page } = await suite.login('officer');
    await page.getByRole('link', { name: '立即播发' }).click();
    const row = page.locator('[data-testid=broadcast-groups]');
    const pick = row.getByRole('checkbox', { name: groupName });
    const summary = page.locator('[data-testid=target-summary]');
    await pick.check();
    await expect.poll(() => row.locator('[data-testid=group-note]').textContent()).toBe('已选 2 台');
    await expect.poll(() => summary.textContent()).toBe('已选 2 台终端');
    await page.locator('.tree-toggle[aria-label="大圩镇"]').click();
    for (const tid of world.terminals[DAXU]!)
      expect(await page.getByRole('checkbox', { name: nameOf(tid), exact: true }).isChecked(), tid).toBe(
        tid === members[0],
      );
    // Un-choosing takes its members off again; choose it once more and send.
    await pick.uncheck();
    await expect.poll(() => summary.textContent()).toBe('请先选择播发对象和内容');
    await pick.check();
    await page.locator('[data-testid=broadcast-items] label', { hasText: CONTENT_TITLE }).click();
    await shot(page, '22-broadcast-to-group');
    await page.locator('.send-bar').getByRole('button', { name: '立即播发' }).click();
    await page.locator('dialog').getByRole('button', { name: '确认' }).click();
    await page.waitForURL(/\/broadcast\/b[a-z0-9]+$/);
    const id = page.url().split('/').pop()!;
    const { broadcast } = await world.api.call<{ broadcast: { target: { kind: string; tids?: string[] } } }>(
      'GET',
      `/api/broadcasts/${id}`,
    );
    expect(broadcast.target.kind).toBe('terminals');
    expect([...broadcast.target.tids!].sort()).toEqual([...group.terminalIds].sort());
    const rows = world.centre.services.broadcasts.outcomes(id).map((o) => o.terminalId);
    expect(rows.sort()).toEqual([...group.terminalIds].sort());

    // Broadcasting only in 大圩镇: 潭下镇's member is skipped, and said so.
    const mixed = (await suite.login(MIXED)).page;
    await mixed.goto(`${world.url}/broadcast`);
    await mixed.locator('[data-testid=broadcast-groups]').getByRole('checkbox', { name: groupName }).check();
    await expect
      .poll(() => mixed.locator('[data-testid=group-note]').textContent())
      .toBe('已选 1 台（1 台不在您的管辖范围内，已跳过）');
    for (const township of ['大圩镇', '潭下镇'])
      await mixed.locator(`.tree-toggle[aria-label="${township}"]`).click();
    const box = (tid: string) => mixed.getByRole('checkbox', { name: nameOf(tid), exact: true });
    expect(await box(members[0]!).isChecked()).toBe(true);
    expect(await box(members[1]!).isChecked()).toBe(false);
    expect(await box(members[1]!).isDisabled()).toBe(true);
    expect(suite.errors()).toEqual([]);
  });
});
