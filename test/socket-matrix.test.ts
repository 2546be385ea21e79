import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_EVENTS } from '../server/src/realtime/client-events.ts';
import { SERVER_EVENTS } from '../server/src/realtime/delivery-rules.ts';
import type { RealtimeEvent } from '../server/src/realtime/realtime-bus.ts';
import { tempDir } from './helpers/fleet.ts';
import { ACTORS, MatrixWorld, NOW, STAFF, type StaffKey, type Where } from './helpers/matrix-world.ts';
import { ALL, AUDIT } from './helpers/route-matrix.ts';

/**
 * The socket half of the permission matrix: every console→server event and every pushed event, for
 * every role, at a target in the actor's township and in another. Written from the words, like
 * ROUTE_MATRIX; the test fails when an event is added without a row here.
 */
interface SocketCase {
  who: readonly StaffKey[];
  scoped: boolean;
}
const CLIENT_MATRIX: Record<string, SocketCase & { payload: (w: MatrixWorld, where: Where) => unknown }> = {
  'broadcast:watch': { who: ALL, scoped: true, payload: (w, where) => ({ id: w.broadcast(where) }) },
  'terminal:get': { who: ALL, scoped: true, payload: (w, where) => ({ id: w.terminal[where] }) },
  'audit:tail': { who: AUDIT, scoped: false, payload: () => ({ limit: 2 }) },
};
const SERVER_MATRIX: Record<
  RealtimeEvent['type'],
  SocketCase & { event: (w: MatrixWorld, where: Where) => RealtimeEvent }
> = {
  'terminal:state': {
    who: ALL,
    scoped: true,
    event: (w, where) => ({
      type: 'terminal:state',
      terminalId: w.terminal[where],
      villageCode: w.village[where],
      online: true,
      status: 1,
      volume: 60,
      playing: null,
      at: NOW,
    }),
  },
  'broadcast:outcome': {
    who: ALL,
    scoped: true,
    event: (w, where) => ({
      type: 'broadcast:outcome',
      broadcastId: `b${where}0000000000`,
      terminalId: w.terminal[where],
      villageCode: w.village[where],
      outcome: 2,
      reason: null,
      at: NOW,
    }),
  },
  'alert:outcome': {
    who: ALL,
    scoped: true,
    event: (w, where) => ({
      type: 'alert:outcome',
      alertId: `a${where}0000000000`,
      terminalId: w.terminal[where],
      villageCode: w.village[where],
      outcome: 2,
      phase: 'attention',
      at: NOW,
    }),
  },
  'content:changed': {
    who: ALL,
    scoped: true,
    event: (w, where) => ({
      type: 'content:changed',
      contentId: `c${where}00000000000000`,
      scopeCode: w.township[where],
      state: 'submitted',
      at: NOW,
    }),
  },
  'audit:appended': {
    who: AUDIT,
    scoped: false,
    event: () => ({
      type: 'audit:appended',
      seq: 1,
      action: 'auth.login',
      outcome: 'ok',
      actorName: 'admin',
      target: null,
      at: NOW,
    }),
  },
};

function expected(c: SocketCase, who: StaffKey, where: Where): 'allow' | 'deny' {
  if (!c.who.includes(who)) return 'deny';
  return !c.scoped || where === 'in' || ACTORS[who].scope === null ? 'allow' : 'deny';
}

describe('permission matrix: every role × every socket event × in-scope / out-of-scope', () => {
  const tmp = tempDir('dlb-socket-matrix-');
  let w: MatrixWorld;
  const sockets = new Map<StaffKey, Socket>();
  const heard = new Map<StaffKey, Array<{ name: string; payload: Record<string, unknown> }>>();

  const connect = (token: string | undefined): Promise<Socket | Error> =>
    new Promise((resolve) => {
      const socket = io(w.centre.httpUrl, {
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        auth: token === undefined ? {} : { token },
      });
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', (e) => {
        socket.close();
        resolve(e);
      });
    });

  beforeAll(async () => {
    w = await MatrixWorld.create(tmp.dir);
    for (const who of STAFF) {
      const s = await connect(w.tokens.get(who));
      if (s instanceof Error) throw new Error(`${who} could not connect: ${s.message}`);
      sockets.set(who, s);
      const list: Array<{ name: string; payload: Record<string, unknown> }> = [];
      s.onAny((name: string, payload: Record<string, unknown>) => list.push({ name, payload }));
      heard.set(who, list);
    }
  }, 120_000);
  afterAll(async () => {
    for (const s of sockets.values()) s.close();
    await w?.stop();
    await tmp.cleanup();
  });

  it('has a row for every client event and every pushed event, and none for an event that does not exist', () => {
    expect(Object.keys(CLIENT_MATRIX).sort()).toEqual(CLIENT_EVENTS.map((e) => e.name).sort());
    expect(Object.keys(SERVER_MATRIX).sort()).toEqual(Object.keys(SERVER_EVENTS).sort());
  });

  it('refuses the socket to nobody and to a terminal’s credentials', async () => {
    for (const token of [undefined, w.tokens.get('terminal')]) {
      const r = await connect(token);
      expect(r).toBeInstanceOf(Error);
      expect((r as Error & { data?: { code: string } }).data?.code).toBe('unauthorized');
    }
  });

  it('answers client events exactly as the table says', async () => {
    const mismatches: string[] = [];
    let cases = 0;
    for (const [name, c] of Object.entries(CLIENT_MATRIX)) {
      for (const who of STAFF) {
        for (const where of c.scoped ? (['in', 'out'] as const) : (['in'] as const)) {
          const ack = (await sockets.get(who)!.timeout(5000).emitWithAck(name, c.payload(w, where))) as {
            ok: boolean;
            error?: { code: string };
          };
          cases += 1;
          const got = ack.ok
            ? 'allow'
            : ['forbidden', 'unknown_terminal', 'unknown_broadcast'].includes(ack.error?.code ?? '')
              ? 'deny'
              : `error ${JSON.stringify(ack.error)}`;
          const want = expected(c, who, where);
          if (got !== want) mismatches.push(`${name} as ${who} (${where}): expected ${want}, got ${got}`);
        }
      }
    }
    console.log(
      `socket matrix: ${cases} client-event cases over ${Object.keys(CLIENT_MATRIX).length} events`,
    );
    expect(mismatches).toEqual([]);
  }, 60_000);

  it('pushes each server event to exactly the consoles the table says', async () => {
    const mismatches: string[] = [];
    let cases = 0;
    for (const [type, c] of Object.entries(SERVER_MATRIX)) {
      for (const where of c.scoped ? (['in', 'out'] as const) : (['in'] as const)) {
        for (const list of heard.values()) list.length = 0;
        const event = c.event(w, where);
        w.centre.bus.emit(event);
        // socket.io keeps order on one connection: once an ack comes back on a socket, the event pushed
        // before it has arrived there, if it was sent at all.
        await Promise.all([...sockets.values()].map((s) => s.timeout(5000).emitWithAck('terminal:get', {})));
        for (const who of STAFF) {
          const got = heard.get(who)!.some((h) => h.name === type) ? 'allow' : 'deny';
          const want = expected(c, who, where);
          cases += 1;
          if (got !== want) mismatches.push(`${type} to ${who} (${where}): expected ${want}, got ${got}`);
        }
      }
    }
    console.log(`socket matrix: ${cases} delivery cases over ${Object.keys(SERVER_MATRIX).length} events`);
    expect(mismatches).toEqual([]);
  }, 60_000);
});
