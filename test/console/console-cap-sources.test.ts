import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError } from '../helpers/api-client.ts';
import { CHROMIUM, navLabels, shot } from './browser.ts';
import { consoleSuite } from './suite.ts';
import { DAXU, PASSWORD, PEOPLE } from './world.ts';

const haveChromium = existsSync(CHROMIUM);

/** A CAP time (OASIS CAP 1.2 §3.3.2: no fractions, explicit offset), in Beijing time. */
const capTime = (ms: number) => `${new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;

/** A small CAP 1.2 Moderate 暴雨 warning for one division code, valid for an hour. */
function capAlert(identifier: string, code: string): string {
  const now = Date.now();
  return `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>${identifier}</identifier>
  <sender>qxj@lingchuan.example.cn</sender>
  <sent>${capTime(now)}</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>暴雨</event>
    <urgency>Immediate</urgency>
    <severity>Moderate</severity>
    <certainty>Observed</certainty>
    <expires>${capTime(now + 3_600_000)}</expires>
    <headline>县气象局发布暴雨黄色预警</headline>
    <description>大圩镇未来三小时降雨量将达三十毫米以上，请注意防范。</description>
    <area>
      <areaDesc>大圩镇</areaDesc>
      <geocode><valueName>GB/T2260</valueName><value>${code}</value></geocode>
    </area>
  </info>
</alert>`;
}

interface AlertView {
  id: string;
  source: string;
  state: string;
  status: string;
  level: string;
  area: { codes: string[] };
}

describe.skipIf(!haveChromium && !process.env.CI)('department CAP sources in the web console', () => {
  const suite = consoleSuite('dlb-console-cap-');

  it('the admin registers a source whose CAP alert then sounds, and disables it; an operator may not see them', async () => {
    const { world } = suite;
    const postCap = (credential: string, identifier: string) =>
      fetch(`${world.url}/api/cap`, {
        method: 'POST',
        headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/xml' },
        body: capAlert(identifier, DAXU),
      });

    const admin = await suite.login('admin');
    const page = admin.page;
    await admin.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: world.url });
    await page.getByRole('link', { name: '预警信息源' }).click();
    await page.getByText('还没有登记预警信息源').waitFor();
    await page.getByRole('button', { name: '登记信息源' }).click();
    const dialog = page.locator('dialog[open]');
    await dialog.locator('input[name=cap-source-name]').fill('县气象局');
    await dialog.getByRole('checkbox', { name: '大圩镇', exact: true }).check();
    await dialog.getByText('已选 1 个区域').waitFor();
    // The server's defaults: Extreme and Severe sound at once, the rest wait for the duty officer.
    const policyOf = (label: string) => dialog.getByLabel(label, { exact: true }).inputValue();
    expect(await Promise.all(['特别严重', '严重', '较重', '一般', '未知'].map(policyOf))).toEqual([
      'sound',
      'sound',
      'confirm',
      'confirm',
      'confirm',
    ]);
    await dialog.getByLabel('较重', { exact: true }).selectOption({ label: '立即播发' });
    await shot(page, '24-cap-source-register');
    await dialog.getByRole('button', { name: '登记信息源' }).click();
    await page.locator('.toast', { hasText: '信息源已登记' }).waitFor();

    // The credential, shown once, with the request the department's system must send.
    const credential = ((await dialog.locator('[data-testid=cap-credential]').textContent()) ?? '').trim();
    expect(credential).toMatch(/^capsrc[0-9a-f]{10}:[A-Za-z0-9_-]{20,100}$/);
    const sourceId = credential.slice(0, credential.indexOf(':'));
    expect(await dialog.locator('[data-testid=cap-request]').textContent()).toBe(
      `POST ${world.url}/api/cap\nAuthorization: Bearer ${credential}\nContent-Type: application/xml`,
    );
    expect(await dialog.locator('[data-testid=cap-credential-box]').textContent()).toContain('只显示这一次');
    await dialog.getByRole('button', { name: '复制凭据' }).click();
    await page.locator('.toast', { hasText: '已复制到剪贴板' }).waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(credential);
    await shot(page, '25-cap-source-credential');
    await dialog.getByRole('button', { name: '我已保存，关闭' }).click();
    await page.locator('dialog[open]').waitFor({ state: 'detached' });

    const row = page.locator(`[data-testid=cap-sources] tr[data-source="${sourceId}"]`);
    await row.waitFor();
    expect(await row.locator('.cap-source-name').textContent()).toBe('县气象局');
    expect(await row.locator('.cap-source-areas').textContent()).toBe('大圩镇');
    expect(await row.locator('.cap-policy li').allTextContents()).toEqual([
      '特别严重：立即播发',
      '严重：立即播发',
      '较重：立即播发',
      '一般：值守员确认后播发',
      '未知：值守员确认后播发',
    ]);
    expect(await row.locator('.cap-source-state').textContent()).toBe('启用中');
    const { sources } = await world.api.call<{
      sources: Array<{ id: string; name: string; allowedCodes: string[]; policy: Record<string, string> }>;
    }>('GET', '/api/cap-sources');
    expect(sources).toEqual([
      expect.objectContaining({ id: sourceId, name: '县气象局', allowedCodes: [DAXU] }),
    ]);
    expect(sources[0]!.policy).toMatchObject({ Moderate: 'sound', Minor: 'confirm' });

    // The department's system posts a Moderate warning with that credential: it sounds at once.
    const res = await postCap(credential, `LC-QX-${Date.now()}-1`);
    const receipt = (await res.json()) as { held: boolean; alerts: Array<{ id: string }> };
    expect(res.status, JSON.stringify(receipt)).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(300);
    expect(receipt.held).toBe(false);
    const { alerts } = await world.api.call<{ alerts: AlertView[] }>('GET', '/api/alerts');
    const fromSource = alerts.filter((a) => a.source === `cap:${sourceId}`);
    expect(fromSource).toHaveLength(1);
    expect(fromSource[0]).toMatchObject({
      id: receipt.alerts[0]!.id,
      state: 'active',
      status: 'active',
      level: 'yellow',
      area: { codes: [DAXU] },
    });

    // Disabled from the console: the same credential is refused at once.
    await row.getByRole('button', { name: '停用' }).click();
    const confirm = page.locator('dialog[open].modal-danger');
    expect(await confirm.textContent()).toContain('确定停用“县气象局”吗？');
    await shot(page, '26-cap-source-disable');
    await confirm.getByRole('button', { name: '停用' }).click();
    await page.locator('.toast', { hasText: '已停用“县气象局”' }).waitFor();
    await expect.poll(() => row.locator('.cap-source-state').textContent()).toBe('已停用');
    expect(await row.getByRole('button', { name: '停用' }).count()).toBe(0);
    const refused = await postCap(credential, `LC-QX-${Date.now()}-2`);
    expect([401, 403]).toContain(refused.status);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      'cap_source_unauthorized',
    );
    expect(
      (await world.api.call<{ alerts: AlertView[] }>('GET', '/api/alerts')).alerts.filter(
        (a) => a.source === `cap:${sourceId}`,
      ),
    ).toHaveLength(1);

    // A county operator (no cap.manage): no nav entry, and the page neither asks the centre nor shows data.
    const operator = await suite.login('operator');
    const asked: string[] = [];
    operator.page.on('request', (r) => {
      if (r.url().includes('/api/cap-sources')) asked.push(r.url());
    });
    expect(await navLabels(operator.page)).not.toContain('预警信息源');
    await operator.page.goto(`${world.url}/admin/cap-sources`);
    await expect.poll(() => operator.page.locator('main.content').textContent()).toBe('您没有权限执行此操作');
    expect(await operator.page.locator('[data-testid=cap-sources]').count()).toBe(0);
    expect(asked).toEqual([]);
    const operatorApi = new ApiClient(world.url);
    await operatorApi.login(PEOPLE.operator.username, PASSWORD);
    const denied = await operatorApi.call('GET', '/api/cap-sources').catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(ApiError);
    expect((denied as ApiError).status).toBe(403);
    expect(suite.errors()).toEqual([]);
  });
});
