import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Centre } from '../server/src/centre.ts';
import { ApiClient } from './helpers/api-client.ts';
import { tempDir, uploadTone } from './helpers/fleet.ts';
import { startInProcessCentre } from './helpers/in-process-centre.ts';

const PASSWORD = 'password-for-tests-1';
const TOWN_A = '450323101';
const TOWN_B = '450323104';

type Received = Array<{ name: string; payload: Record<string, unknown> }>;
interface Client {
  socket: Socket;
  received: Received;
  ended: Promise<string>;
}
type Ack = { ok: true } & Record<string, unknown> & { error?: { code: string; message: string } };

async function eventually(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('realtime: the console socket has the HTTP API’s sessions and permissions', () => {
  const tmp = tempDir('dlb-realtime-');
  let centre: Centre;
  let admin: ApiClient;
  const sockets: Socket[] = [];
  let villageA: string;
  let villageB: string;
  let tA: string;
  let tB: string;

  /** Connects over WebSocket only (so extra headers such as Origin really go out) and records every event. */
  function open(
    opts: { token?: unknown; headers?: Record<string, string> } = {},
  ): Promise<{ client: Client } | { error: Error & { data?: { code: string; message: string } } }> {
    const socket = io(centre.httpUrl, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      auth: opts.token === undefined ? {} : { token: opts.token },
      extraHeaders: opts.headers,
    });
    sockets.push(socket);
    const received: Received = [];
    socket.onAny((name: string, payload: Record<string, unknown>) => received.push({ name, payload }));
    const ended = new Promise<string>((resolve) => socket.on('disconnect', (reason) => resolve(reason)));
    return new Promise((resolve) => {
      socket.once('connect', () => resolve({ client: { socket, received, ended } }));
      socket.once('connect_error', (error) => resolve({ error }));
    });
  }

  async function connect(token: unknown): Promise<Client> {
    const r = await open({ token });
    if ('error' in r) throw new Error(`socket refused: ${r.error.message}`);
    return r.client;
  }

  const ask = (c: Client, name: string, payload?: unknown): Promise<Ack> =>
    (payload === undefined
      ? c.socket.timeout(5000).emitWithAck(name)
      : c.socket.timeout(5000).emitWithAck(name, payload)) as Promise<Ack>;

  async function userWith(
    username: string,
    roles: Array<{ role: string; scopeCode: string | null }>,
    mustChangePassword = false,
  ): Promise<{ id: number; api: ApiClient }> {
    const u = await centre.services.users.create({
      username,
      displayName: username,
      password: PASSWORD,
      roles: roles as never,
      mustChangePassword,
    });
    const api = new ApiClient(centre.httpUrl);
    await api.login(username, PASSWORD);
    return { id: u.id, api };
  }

  const state = (online = true) =>
    Buffer.from(JSON.stringify({ status: 1, online, at: Date.now(), volume: 60, playing: null }));

  beforeAll(async () => {
    ({ centre, api: admin } = await startInProcessCentre(tmp.dir));
    const { areas } = await admin.call<{ areas: Array<{ code: string }> }>('GET', '/api/areas');
    const village = (town: string) =>
      areas.find((a) => a.code.length === 12 && a.code.startsWith(town))!.code;
    villageA = village(TOWN_A);
    villageB = village(TOWN_B);
    tA = centre.services.terminals.register({ villageCode: villageA }).terminal.id;
    tB = centre.services.terminals.register({ villageCode: villageB }).terminal.id;
  });

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await centre?.stop();
    await tmp.cleanup();
  });

  describe('handshake', () => {
    it('refuses no token, a forged token and a malformed one, with a Chinese description', async () => {
      for (const token of [undefined, 'forged-token-that-matches-no-session', 42]) {
        const r = await open({ token });
        expect('error' in r && r.error.message).toBe('unauthorized');
        if ('error' in r) expect(r.error.data?.message).toMatch(/登录/);
      }
    });

    it('takes the session cookie only from this site: a foreign Origin is refused and audited', async () => {
      await userWith('cookie_user', [{ role: 'county_operator', scopeCode: null }]);
      const login = await fetch(`${centre.httpUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'cookie_user', password: PASSWORD }),
      });
      const cookie = login.headers
        .getSetCookie()
        .find((c) => c.startsWith('dlb_session='))!
        .split(';')[0]!;
      const host = new URL(centre.httpUrl).host;

      const foreign = await open({ headers: { cookie, origin: 'https://evil.example' } });
      expect('error' in foreign && foreign.error.message).toBe('origin_mismatch');
      const audited = centre.db
        .prepare("SELECT detail FROM audit_log WHERE action = 'auth.csrf' AND target = '/socket.io'")
        .all() as Array<{ detail: string }>;
      expect(audited.map((r) => JSON.parse(r.detail).origin)).toContain('https://evil.example');

      const lookalike = await open({ headers: { cookie, origin: `http://${host}.evil.example` } });
      expect('error' in lookalike).toBe(true);
      const same = await open({ headers: { cookie, origin: `http://${host}` } });
      expect('client' in same).toBe(true);
      const noOrigin = await open({ headers: { cookie } });
      expect('client' in noOrigin).toBe(true);
    });

    it('refuses a user who must first change the password', async () => {
      const u = await userWith('must_change', [{ role: 'county_operator', scopeCode: null }], true);
      const r = await open({ token: u.api.token });
      expect('error' in r && r.error.message).toBe('password_change_required');
    });
  });

  describe('pushed events reach only those allowed to see them', () => {
    it('terminal:state: a township hears its own terminals only, the county hears all', async () => {
      const county = await connect(admin.token);
      const a = await connect(
        (await userWith('town_a', [{ role: 'township_operator', scopeCode: TOWN_A }])).api.token,
      );
      const b = await connect(
        (await userWith('town_b', [{ role: 'township_reviewer', scopeCode: TOWN_B }])).api.token,
      );

      expect(centre.services.events.ingestState(tA, state())).toBe(true);
      expect(centre.services.events.ingestState(tB, state())).toBe(true);
      const states = (c: Client) =>
        c.received.filter((e) => e.name === 'terminal:state').map((e) => e.payload.terminalId);
      await eventually(() => states(county).length === 2, 'the county socket to receive both states');
      // A round trip on each township socket: anything sent to it earlier would have arrived first.
      await ask(a, 'terminal:get', { id: tA });
      await ask(b, 'terminal:get', { id: tB });
      expect(states(county)).toEqual([tA, tB]);
      expect(states(a)).toEqual([tA]);
      expect(states(b)).toEqual([tB]);
      expect(a.received.find((e) => e.name === 'terminal:state')?.payload).toMatchObject({
        type: 'terminal:state',
        villageCode: villageA,
        online: true,
        status: 1,
        volume: 60,
        playing: null,
      });
    });

    it('audit:appended goes to auditors and administrators, not to township operators', async () => {
      const auditor = await connect(
        (await userWith('auditor1', [{ role: 'auditor', scopeCode: null }])).api.token,
      );
      const op = await connect(
        (await userWith('town_op2', [{ role: 'township_operator', scopeCode: TOWN_A }])).api.token,
      );
      centre.services.audit.append({ actor: { kind: 'system' }, action: 'test.realtime-ping' });
      const pinged = (c: Client) =>
        c.received.some((e) => e.name === 'audit:appended' && e.payload.action === 'test.realtime-ping');
      await eventually(() => pinged(auditor), 'the auditor to receive the audit entry');
      await ask(op, 'terminal:get', { id: tA });
      expect(op.received.filter((e) => e.name === 'audit:appended')).toEqual([]);
    });

    it('broadcast:outcome and broadcast:watch follow the terminal’s township', async () => {
      const media = await uploadTone({ api: admin }, tmp.dir, 1);
      const send = async (target: unknown) =>
        (
          await admin.call<{ broadcast: { id: string } }>('POST', '/api/broadcasts', {
            contentId: media.contentId,
            target,
          })
        ).broadcast.id;
      const whole = await send({ kind: 'terminals', tids: [tA, tB] });
      const onlyB = await send({ kind: 'area', code: TOWN_B });

      const county = await connect(admin.token);
      const a = await connect(
        (await userWith('town_a3', [{ role: 'township_operator', scopeCode: TOWN_A }])).api.token,
      );
      const report = (tid: string, seq: number) =>
        centre.services.events.ingestEvents(
          tid,
          Buffer.from(
            JSON.stringify({
              outbox: 'outbox-rt-0001',
              events: [
                { type: 'outcome', seq, at: Date.now(), commandId: 'c', broadcastId: whole, outcome: 1 },
              ],
            }),
          ),
        );
      expect(report(tA, 1)?.stored).toBe(1);
      expect(report(tB, 1)?.stored).toBe(1);
      const outcomes = (c: Client) =>
        c.received.filter((e) => e.name === 'broadcast:outcome').map((e) => e.payload.terminalId);
      await eventually(() => outcomes(county).length === 2, 'both outcomes at the county');
      await ask(a, 'terminal:get', { id: tA });
      expect(outcomes(a)).toEqual([tA]);
      expect(a.received.find((e) => e.name === 'broadcast:outcome')?.payload).toMatchObject({
        broadcastId: whole,
        outcome: 1,
        villageCode: villageA,
      });

      const watched = await ask(a, 'broadcast:watch', { id: whole });
      expect(watched.ok).toBe(true);
      expect((watched.outcomes as Array<{ terminalId: string }>).map((o) => o.terminalId)).toEqual([tA]);
      // Another township's broadcast is answered exactly like one that does not exist.
      const foreign = await ask(a, 'broadcast:watch', { id: onlyB });
      const missing = await ask(a, 'broadcast:watch', { id: 'b00000000missing' });
      expect(foreign).toEqual({
        ok: false,
        error: { code: 'unknown_broadcast', message: `播发 ${onlyB} 不存在` },
      });
      expect(missing.error?.code).toBe('unknown_broadcast');
      expect((await ask(county, 'broadcast:watch', { id: onlyB })).ok).toBe(true);
    });
  });

  describe('client events', () => {
    it('are allowed and denied by role and scope', async () => {
      const a = await connect(
        (await userWith('town_a4', [{ role: 'township_operator', scopeCode: TOWN_A }])).api.token,
      );
      const auditor = await connect(
        (await userWith('auditor2', [{ role: 'auditor', scopeCode: null }])).api.token,
      );

      const own = await ask(a, 'terminal:get', { id: tA });
      expect(own).toMatchObject({ ok: true, terminal: { id: tA, villageCode: villageA } });
      const other = await ask(a, 'terminal:get', { id: tB });
      const missing = await ask(a, 'terminal:get', { id: '6'.padEnd(23, '0') });
      expect(other).toEqual({ ok: false, error: { code: 'unknown_terminal', message: `终端 ${tB} 不存在` } });
      expect(missing.error?.code).toBe('unknown_terminal');

      expect(await ask(a, 'audit:tail', { limit: 5 })).toEqual({
        ok: false,
        error: { code: 'forbidden', message: '没有权限执行此操作' },
      });
      const tail = await ask(auditor, 'audit:tail', { limit: 3 });
      expect(tail.ok).toBe(true);
      const entries = tail.entries as Array<{ seq: number }>;
      expect(entries).toHaveLength(3);
      expect(entries[0]!.seq).toBeGreaterThan(entries[2]!.seq);
      expect(((await ask(auditor, 'audit:tail')).entries as unknown[]).length).toBeGreaterThan(3);
      expect((await ask(auditor, 'audit:tail', { limit: 101 })).error?.code).toBe('invalid_payload');
    });

    it('answer malformed and unknown messages, and the server keeps running', async () => {
      const c = await connect(admin.token);
      for (const payload of [{ id: 5 }, 'terminal', null, [tA], {}]) {
        const r = await ask(c, 'terminal:get', payload);
        expect(r.ok).toBe(false);
        expect(r.error?.code).toBe('invalid_payload');
        expect(r.error?.message).toMatch(/[\u4e00-\u9fa5]/);
      }
      expect((await ask(c, 'no:such-event', {})).error?.code).toBe('unknown_event');
      expect((await ask(c, 'session:ended', {})).error?.code).toBe('unknown_event');
      const extra = (await c.socket.timeout(5000).emitWithAck('terminal:get', { id: tA }, 'more')) as Ack;
      expect(extra.error?.code).toBe('invalid_payload');
      // No ack callback: nothing to answer with, so it is dropped; the socket still works.
      c.socket.emit('terminal:get', { id: tA });
      expect((await ask(c, 'terminal:get', { id: tA })).ok).toBe(true);

      // Over the message limit: socket.io closes that connection, and only that one.
      c.socket.emit('terminal:get', { id: 'x'.repeat(70 * 1024) }, () => {});
      await expect(c.ended).resolves.toBe('transport close');
      const again = await connect(admin.token);
      expect((await ask(again, 'terminal:get', { id: tA })).ok).toBe(true);
    });

    it('re-read the roles on every event: a change applies to the next one', async () => {
      const u = await userWith('town_move', [{ role: 'township_operator', scopeCode: TOWN_A }]);
      const c = await connect(u.api.token);
      expect((await ask(c, 'terminal:get', { id: tA })).ok).toBe(true);
      // Straight in the database, so no audit entry prompts a revalidation: the event itself must notice.
      centre.db.prepare('UPDATE user_roles SET scope_code = ? WHERE user_id = ?').run(TOWN_B, u.id);
      expect((await ask(c, 'terminal:get', { id: tA })).error?.code).toBe('unknown_terminal');
      expect((await ask(c, 'terminal:get', { id: tB })).ok).toBe(true);
      centre.db.prepare('DELETE FROM user_roles WHERE user_id = ?').run(u.id);
      expect((await ask(c, 'terminal:get', { id: tB })).error?.code).toBe('forbidden');
    });
  });

  describe('a socket ends with its session', () => {
    it('disabling the user disconnects the socket at once, saying why', async () => {
      const u = await userWith('to_disable', [{ role: 'township_operator', scopeCode: TOWN_A }]);
      const c = await connect(u.api.token);
      const started = Date.now();
      await admin.call('POST', `/api/users/${u.id}/disable`);
      await expect(c.ended).resolves.toBe('io server disconnect');
      expect(Date.now() - started).toBeLessThan(2000);
      expect(c.received.find((e) => e.name === 'session:ended')?.payload.code).toBe('unauthorized');
      // The disabled user cannot come back either.
      expect('error' in (await open({ token: u.api.token }))).toBe(true);
    });

    it('a disable done straight in the database is caught by the next revalidation', async () => {
      const u = await userWith('to_disable2', [{ role: 'county_operator', scopeCode: null }]);
      const c = await connect(u.api.token);
      centre.db.prepare('UPDATE users SET disabled = 1 WHERE id = ?').run(u.id);
      centre.services.audit.append({ actor: { kind: 'system' }, action: 'user.disable' });
      await expect(c.ended).resolves.toBe('io server disconnect');
    });

    it('logging out ends the sockets of that session only', async () => {
      const u = await userWith('logout_user', [{ role: 'county_operator', scopeCode: null }]);
      const other = new ApiClient(centre.httpUrl);
      await other.login('logout_user', PASSWORD);
      const c = await connect(u.api.token);
      const stays = await connect(other.token);
      await u.api.call('POST', '/api/auth/logout');
      await expect(c.ended).resolves.toBe('io server disconnect');
      expect((await ask(stays, 'terminal:get', { id: tA })).ok).toBe(true);
    });
  });
});
