import { describe, expect, it } from 'vitest';
import type { Services } from '../api/services.ts';
import { Actor, type Grant } from '../auth/actor.ts';
import { PERMISSIONS } from '../auth/roles.ts';
import { notFound } from '../errors.ts';
import { CLIENT_EVENTS, runClientEvent } from './client-events.ts';

const chains = { chainOf: (code: string) => [code, code.slice(0, 9), code.slice(0, 6)] };
const actor = (...roles: Grant[]) =>
  new Actor(
    { id: 1, username: 'u', displayName: 'u', disabled: false, mustChangePassword: false, roles },
    chains,
  );
const TID = '64503231012000301000100';

describe('CLIENT_EVENTS', () => {
  it('names each event once, with a known permission and a summary', () => {
    const names = CLIENT_EVENTS.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.sort()).toEqual(['audit:tail', 'broadcast:watch', 'terminal:get']);
    for (const e of CLIENT_EVENTS) {
      expect(PERMISSIONS).toContain(e.permission);
      expect(e.summary).toMatch(/[\u4e00-\u9fa5]/);
    }
  });
});

describe('runClientEvent', () => {
  const logs: string[] = [];
  const log = (m: string) => logs.push(m);
  const services = (get: (id: string) => unknown) => ({ terminals: { get } }) as unknown as Services;
  const admin = actor({ role: 'county_admin', scopeCode: null });

  it('checks the permission before looking at the payload', async () => {
    const nobody = actor();
    expect(
      await runClientEvent(
        nobody,
        'terminal:get',
        'garbage',
        services(() => null),
        log,
      ),
    ).toEqual({
      ok: false,
      error: { code: 'forbidden', message: '没有权限执行此操作' },
    });
  });

  it('answers unknown events and malformed payloads in Chinese', async () => {
    const s = services(() => null);
    const unknown = await runClientEvent(admin, 'x'.repeat(500), {}, s, log);
    expect(!unknown.ok && unknown.error.code).toBe('unknown_event');
    expect(!unknown.ok && unknown.error.message.length).toBeLessThan(100);
    const bad = await runClientEvent(admin, 'terminal:get', { id: 'abc' }, s, log);
    expect(bad).toEqual({
      ok: false,
      error: { code: 'invalid_payload', message: '消息内容无效：终端编号须为23位数字' },
    });
    const notObject = await runClientEvent(admin, 'audit:tail', 7, s, log);
    expect(notObject).toEqual({
      ok: false,
      error: { code: 'invalid_payload', message: '消息内容无效：消息内容须为一个对象' },
    });
  });

  it('passes AppErrors through by code and hides internal errors (logged)', async () => {
    const app = await runClientEvent(
      admin,
      'terminal:get',
      { id: TID },
      services(() => {
        throw notFound('unknown_terminal', '终端不存在');
      }),
      log,
    );
    expect(app).toEqual({ ok: false, error: { code: 'unknown_terminal', message: '终端不存在' } });
    expect(logs).toEqual([]);
    const internal = await runClientEvent(
      admin,
      'terminal:get',
      { id: TID },
      services(() => {
        throw new Error('SQLITE_BUSY secret detail');
      }),
      log,
    );
    expect(internal).toEqual({
      ok: false,
      error: { code: 'internal', message: '服务器内部错误，请稍后重试或联系管理员' },
    });
    expect(JSON.stringify(internal)).not.toContain('SQLITE');
    expect(logs.join('\n')).toContain('SQLITE_BUSY secret detail');
  });

  it('answers a terminal outside the scope exactly like a missing one', async () => {
    const terminal = { id: TID, villageCode: '450323101200' };
    const s = services((id) => (id === TID ? terminal : null));
    const own = actor({ role: 'township_operator', scopeCode: '450323101' });
    const other = actor({ role: 'township_operator', scopeCode: '450323104' });
    expect(await runClientEvent(own, 'terminal:get', { id: TID }, s, log)).toEqual({ ok: true, terminal });
    const hidden = await runClientEvent(other, 'terminal:get', { id: TID }, s, log);
    const missingId = `${TID.slice(0, -1)}9`;
    const missing = await runClientEvent(other, 'terminal:get', { id: missingId }, s, log);
    expect(hidden).toEqual({ ok: false, error: { code: 'unknown_terminal', message: `终端 ${TID} 不存在` } });
    expect(missing).toEqual({
      ok: false,
      error: { code: 'unknown_terminal', message: `终端 ${missingId} 不存在` },
    });
  });
});
