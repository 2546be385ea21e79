import { spawn } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAuditTrail } from '../server/src/audit/audit-head.ts';
import type { Centre } from '../server/src/centre.ts';
import { ApiClient, ApiError } from './helpers/api-client.ts';
import { ADMIN_PASSWORD, tempDir } from './helpers/fleet.ts';
import { startInProcessCentre } from './helpers/in-process-centre.ts';
import { REPO_ROOT } from './helpers/processes.ts';

interface Entry {
  seq: number;
  at: number;
  actor: { kind: string; id: string | null; name: string | null };
  action: string;
  outcome: string;
  target: string | null;
  detail: Record<string, unknown>;
  hash: string;
}
interface Page {
  entries: Entry[];
  nextBefore: number | null;
}

const CLI = path.join(REPO_ROOT, 'server/src/audit/audit-verify-cli.ts');

/** Runs the verifier as an operator would: a separate process on the data directory. */
function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, DLB_DATA_DIR: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (e) {
    if (e instanceof ApiError) return e.status;
    throw e;
  }
}

describe('the audit trail: recorded, searchable, verifiable, and tampering is found', () => {
  const tmp = tempDir('dlb-audit-');
  let centre: Centre;
  let admin: ApiClient;
  let stopped = false;
  const auditor = () => new ApiClient(centre.httpUrl);
  let aud: ApiClient;
  let terminalId: string;
  let dataDir: string;

  beforeAll(async () => {
    ({ centre, api: admin } = await startInProcessCentre(tmp.dir));
    dataDir = centre.config.dataDir;
    const { areas } = await admin.call<{ areas: Array<{ code: string; level: string }> }>(
      'GET',
      '/api/areas',
    );
    const township = areas.find((a) => a.level === 'township')!;
    const village = areas.find((a) => a.level === 'village' && a.code.startsWith(township.code))!;
    await centre.services.users.create({
      username: 'auditor1',
      displayName: '审计员',
      password: 'auditor-password-01',
      roles: [{ role: 'auditor', scopeCode: null }],
    });
    await centre.services.users.create({
      username: 'town1',
      displayName: '乡镇编播员',
      password: 'township-password-01',
      roles: [{ role: 'township_operator', scopeCode: township.code }],
    });
    // What the trail should hold: a failed login, a login, a registration.
    expect(await status(new ApiClient(centre.httpUrl).login('admin', 'wrong-password'))).toBe(401);
    await admin.login('admin', ADMIN_PASSWORD);
    const reg = await admin.call<{ terminal: { id: string } }>('POST', '/api/terminals', {
      villageCode: village.code,
    });
    terminalId = reg.terminal.id;
    aud = auditor();
    await aud.login('auditor1', 'auditor-password-01');
  });
  afterAll(async () => {
    if (!stopped) await centre?.stop();
    await tmp.cleanup();
  });

  it('records the actions and serves them newest first', async () => {
    const page = await aud.call<Page>('GET', '/api/audit');
    const seqs = page.entries.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    const reg = page.entries.find((e) => e.action === 'terminal.register')!;
    expect(reg).toMatchObject({
      actor: { kind: 'user', name: 'admin' },
      outcome: 'ok',
      target: `terminal:${terminalId}`,
    });
    expect(reg.detail.villageCode).toMatch(/^\d{12}$/);
    expect(
      page.entries.some(
        (e) => e.action === 'auth.login' && e.outcome === 'failed' && e.actor.kind === 'anonymous',
      ),
    ).toBe(true);
    expect(page.entries.some((e) => e.action === 'auth.login' && e.actor.name === 'auditor1')).toBe(true);
  });

  it('filters by action prefix, outcome and actor', async () => {
    const auth = await aud.call<Page>('GET', '/api/audit?action=auth.');
    expect(auth.entries.length).toBeGreaterThanOrEqual(3);
    expect(auth.entries.every((e) => e.action.startsWith('auth.'))).toBe(true);
    const failed = await aud.call<Page>('GET', '/api/audit?outcome=failed');
    expect(failed.entries.length).toBeGreaterThanOrEqual(1);
    expect(failed.entries.every((e) => e.outcome === 'failed')).toBe(true);
    const byAuditor = await aud.call<Page>('GET', '/api/audit?actor=auditor1&actorKind=user');
    expect(byAuditor.entries.map((e) => e.action)).toEqual(['auth.login']);
    const empty = await aud.call<Page>('GET', '/api/audit?action=&target=');
    expect(empty.entries.length).toBe((await aud.call<Page>('GET', '/api/audit')).entries.length);
  });

  it('pages with the before cursor', async () => {
    const all = (await aud.call<Page>('GET', '/api/audit?limit=500')).entries.map((e) => e.seq);
    const seen: number[] = [];
    let url = '/api/audit?limit=2';
    for (;;) {
      const p = await aud.call<Page>('GET', url);
      seen.push(...p.entries.map((e) => e.seq));
      if (p.nextBefore === null) break;
      url = `/api/audit?limit=2&before=${p.nextBefore}`;
    }
    expect(seen).toEqual(all);
    expect(all.length).toBeGreaterThan(4);
  });

  it('refuses bad filters with a clear message', async () => {
    const msg = async (q: string) => {
      try {
        await aud.call('GET', `/api/audit?${q}`);
      } catch (e) {
        expect((e as ApiError).status).toBe(400);
        return (e as ApiError).body?.error?.message ?? '';
      }
      throw new Error(`${q} was accepted`);
    };
    expect(await msg('from=2000&to=1000')).toContain('开始时间 from 不能晚于结束时间 to');
    expect(await msg('limit=abc')).toContain('须为整数');
    expect(await msg('limit=501')).toContain('不能大于 500');
    expect(await msg('outcome=maybe')).toContain('ok、denied、failed');
    expect(await msg('actorKind=robot')).toContain('actorKind');
  });

  it('lists the recorded actions with counts', async () => {
    const { actions } = await aud.call<{ actions: Array<{ action: string; count: number }> }>(
      'GET',
      '/api/audit/actions',
    );
    expect(actions.find((a) => a.action === 'auth.login')?.count).toBeGreaterThanOrEqual(3);
    expect(actions.find((a) => a.action === 'terminal.register')?.count).toBe(1);
  });

  it('refuses a township operator, and records the refusal', async () => {
    const town = new ApiClient(centre.httpUrl);
    await town.login('town1', 'township-password-01');
    expect(await status(town.call('GET', '/api/audit'))).toBe(403);
    expect(await status(town.call('GET', '/api/audit/verify'))).toBe(403);
    const denied = await aud.call<Page>('GET', '/api/audit?outcome=denied&actor=town1');
    expect(denied.entries.map((e) => e.target)).toEqual(['/api/audit/verify', '/api/audit']);
  });

  it('verifies the chain over the API, against the head file', async () => {
    const v = await aud.call<{
      ok: boolean;
      entries: number;
      lastSeq: number;
      lastHash: string;
      head: { seq: number; hash: string } | null;
    }>('GET', '/api/audit/verify');
    const newest = (await aud.call<Page>('GET', '/api/audit?limit=1')).entries[0]!;
    expect(v).toMatchObject({ ok: true, entries: newest.seq, lastSeq: newest.seq, lastHash: newest.hash });
    // The centre keeps the head file as it appends.
    expect(v.head).toEqual({ seq: newest.seq, hash: newest.hash, at: newest.at });
  });

  it('the command-line verifier finds a row changed in the stopped centre’s file', async () => {
    const { entries } = await aud.call<Page>('GET', '/api/audit?action=terminal.register');
    const target = entries[0]!;
    await centre.stop();
    stopped = true;
    const intact = path.join(tmp.dir, 'intact');
    const shortened = path.join(tmp.dir, 'shortened');
    cpSync(dataDir, intact, { recursive: true });
    cpSync(dataDir, shortened, { recursive: true });

    const db = new Database(path.join(dataDir, 'dlb.sqlite'));
    db.exec('DROP TRIGGER audit_log_no_update');
    db.prepare('UPDATE audit_log SET detail = ? WHERE seq = ?').run(
      '{"villageCode":"000000000000"}',
      target.seq,
    );
    db.close();

    const bad = await runCli(['--data-dir', dataDir]);
    expect(bad.code, bad.stdout + bad.stderr).toBe(1);
    expect(bad.stdout).toContain(`第 ${target.seq} 条`);
    expect(bad.stdout).toContain('terminal.register');
    expect(bad.stdout).toContain('已被篡改');

    const good = await runCli(['--data-dir', intact]);
    expect(good.code, good.stdout + good.stderr).toBe(0);
    expect(good.stdout).toMatch(/审计记录完好：共 \d+ 条/);
    const json = await runCli(['--data-dir', intact, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, afterHead: 0 });

    // The last entries deleted: only the head file shows it.
    const sdb = new Database(path.join(shortened, 'dlb.sqlite'));
    const head = checkAuditTrail(sdb, path.join(shortened, 'audit-head.json')).head!;
    sdb.exec('DROP TRIGGER audit_log_no_delete');
    sdb.prepare('DELETE FROM audit_log WHERE seq > ?').run(head.seq - 2);
    sdb.close();
    const cut = await runCli([`--data-dir=${shortened}`]);
    expect(cut.code, cut.stdout + cut.stderr).toBe(1);
    expect(cut.stdout).toContain('末尾的记录被删除');
    expect(cut.stdout).toContain(`第 ${head.seq - 1} 条至第 ${head.seq} 条`);
  });

  it('the command-line verifier explains usage and file errors with exit code 2', async () => {
    const missing = await runCli(['--data-dir', path.join(tmp.dir, 'nowhere')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('找不到数据库文件');
    const wrong = await runCli(['--frobnicate']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('不认识的参数');
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('用法');
    expect(existsSync(path.join(tmp.dir, 'nowhere'))).toBe(false);
  });
});
