import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Services } from '../api/services.ts';
import { AreaService } from '../areas/area-service.ts';
import { AuditLog } from '../audit/audit-log.ts';
import { UserService } from '../auth/users.ts';
import { type Db, openDatabase } from '../db/database.ts';
import { RealtimeBus } from './realtime-bus.ts';
import { RealtimeServer } from './realtime-server.ts';

/**
 * The server on a bare HTTP server with just the services it reads, to check what needs a clock: the
 * periodic revalidation that catches a session expiring (no audit entry announces that) and stop().
 */
describe('RealtimeServer: timer and shutdown', () => {
  let db: Db;
  let users: UserService;
  let bus: RealtimeBus;
  let realtime: RealtimeServer;
  let server: http.Server;
  let url: string;
  let token: string;
  const logs: string[] = [];
  const sockets: Socket[] = [];

  beforeEach(async () => {
    db = openDatabase(path.join(mkdtempSync(path.join(tmpdir(), 'dlb-realtime-unit-')), 'db.sqlite'));
    users = new UserService(db, 3600_000);
    const u = await users.create({
      username: 'admin',
      displayName: '管理员',
      password: 'password-for-tests-1',
      roles: [{ role: 'county_admin', scopeCode: null }],
    });
    token = users.startSession(u.id).token;
    const services = {
      config: { auth: { idleMinutes: 120 } },
      db,
      users,
      areas: new AreaService(db),
      audit: new AuditLog(db),
      now: Date.now,
      log: () => {},
    } as unknown as Services;
    bus = new RealtimeBus();
    realtime = new RealtimeServer({ services, bus, log: (m) => logs.push(m), revalidateEveryMs: 50 });
    server = http.createServer((_req, res) => res.end('ok'));
    realtime.attach(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    await realtime.stop();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    db.close();
  });

  const connect = async (): Promise<{ socket: Socket; received: string[]; ended: Promise<string> }> => {
    const socket = io(url, {
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    sockets.push(socket);
    const received: string[] = [];
    socket.onAny((name: string) => received.push(name));
    const ended = new Promise<string>((r) => socket.on('disconnect', r));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return { socket, received, ended };
  };

  it('a session that expires is noticed by the timer: session:ended, then the socket closes', async () => {
    const c = await connect();
    expect(realtime.connections).toBe(1);
    db.prepare('UPDATE sessions SET expires_at = ?').run(Date.now() - 1);
    await expect(c.ended).resolves.toBe('io server disconnect');
    expect(c.received).toContain('session:ended');
    expect(realtime.connections).toBe(0);
  });

  it('an idle session ends the same way', async () => {
    const c = await connect();
    db.prepare('UPDATE sessions SET last_used_at = ?').run(Date.now() - 121 * 60_000);
    await expect(c.ended).resolves.toBe('io server disconnect');
  });

  it('stop() closes every socket, stops listening to the bus, and leaves the HTTP server to its owner', async () => {
    const c = await connect();
    await realtime.stop();
    await expect(c.ended).resolves.not.toBe('io client disconnect');
    expect(realtime.connections).toBe(0);
    // The bus no longer reaches the stopped server, and emitting does not throw.
    bus.emit({
      type: 'audit:appended',
      seq: 1,
      action: 'x',
      outcome: 'ok',
      actorName: null,
      target: null,
      at: 1,
    });
    expect(server.listening).toBe(true);
    expect(await (await fetch(`${url}/other`)).text()).toBe('ok');
    await realtime.stop(); // twice is harmless
    expect(logs).toEqual([]);
  });

  it('attach() twice is a programming error', () => {
    expect(() => realtime.attach(server)).toThrow(/already attached/);
  });
});
