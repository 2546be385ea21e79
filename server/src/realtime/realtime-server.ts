import type http from 'node:http';
import { type DefaultEventsMap, type ExtendedError, Server, type Socket } from 'socket.io';
import type { Services } from '../api/services.ts';
import { Actor, type User } from '../auth/actor.ts';
import { failure, runClientEvent } from './client-events.ts';
import { mayReceive, SESSION_ENDED } from './delivery-rules.ts';
import type { RealtimeBus, RealtimeEvent } from './realtime-bus.ts';
import {
  admit,
  cookieValue,
  type Refusal,
  SESSION_COOKIE,
  sha256Hex,
  tokenFromHandshake,
  touchSession,
  userForTokenHash,
} from './socket-auth.ts';

/** Largest message a console may send; socket.io closes the connection of anyone sending more. */
export const MAX_MESSAGE_BYTES = 64 * 1024;
/** Sessions also end by expiry, which no audit entry announces: re-checked this often. */
export const REVALIDATE_INTERVAL_MS = 30_000;

/** What a socket carries: the session's hash (never the token) and the actor as last checked. */
interface SocketData {
  tokenHash: string;
  via: 'token' | 'cookie';
  actor: Actor;
}

type ConsoleSocket = Socket<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, SocketData>;

/** A handshake refusal as the client sees it: `connect_error` with the code as message, Chinese in data. */
function refusalError(r: Refusal): ExtendedError {
  return Object.assign(new Error(r.code), { data: { code: r.code, message: r.message } });
}

/**
 * socket.io for the console, with the same sessions and permissions as the HTTP API: the handshake
 * authenticates, every pushed event passes the delivery rules for that socket's actor, and every
 * client event re-reads the session and roles before it runs.
 */
export class RealtimeServer {
  private io: Server<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, SocketData> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly deps: {
      services: Services;
      bus: RealtimeBus;
      log: (m: string) => void;
      revalidateEveryMs?: number;
    },
  ) {}

  attach(server: http.Server): void {
    if (this.io) throw new Error('realtime server already attached');
    const io = new Server<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, SocketData>(server, {
      serveClient: false,
      maxHttpBufferSize: MAX_MESSAGE_BYTES,
      connectTimeout: 10_000,
      // No CORS headers: only pages of this site may poll; WebSockets are guarded by the Origin check.
    });
    io.use((socket, next) => next(this.authenticate(socket) ?? undefined));
    io.on('connection', (socket) => {
      socket.onAny((name: unknown, ...args: unknown[]) => {
        void this.onClientEvent(socket, name, args);
      });
    });
    this.io = io;
    this.unsubscribe = this.deps.bus.on((e) => this.deliver(e));
    this.timer = setInterval(
      () => this.revalidateAll(),
      this.deps.revalidateEveryMs ?? REVALIDATE_INTERVAL_MS,
    );
    this.timer.unref();
  }

  /** Number of connected console sockets. */
  get connections(): number {
    return this.io?.of('/').sockets.size ?? 0;
  }

  private idleMs(): number {
    return this.deps.services.config.auth.idleMinutes * 60_000;
  }

  private userFor(tokenHash: string): User | null {
    const s = this.deps.services;
    return userForTokenHash(s.db, s.users, tokenHash, s.now(), this.idleMs());
  }

  /** Null when the handshake may proceed (and the socket's data is set), else the error to refuse with. */
  private authenticate(socket: ConsoleSocket): ExtendedError | null {
    const s = this.deps.services;
    try {
      const presented = tokenFromHandshake({
        headers: socket.handshake.headers,
        auth: socket.handshake.auth as Record<string, unknown> | undefined,
      });
      if ('refused' in presented) {
        if (presented.refused.code === 'origin_mismatch') this.auditForeignOrigin(socket);
        return refusalError(presented.refused);
      }
      const tokenHash = sha256Hex(presented.token);
      const admitted = admit(this.userFor(tokenHash));
      if ('refused' in admitted) return refusalError(admitted.refused);
      touchSession(s.db, tokenHash, s.now());
      socket.data.tokenHash = tokenHash;
      socket.data.via = presented.via;
      socket.data.actor = new Actor(admitted.user, s.areas);
      return null;
    } catch (e) {
      this.deps.log(`实时连接认证出错: ${e instanceof Error ? e.message : String(e)}`);
      return Object.assign(new Error('internal'), {
        data: { code: 'internal', message: '服务器内部错误，请稍后重试' },
      });
    }
  }

  /** A live session cookie sent from another site is an attack on that user: recorded like a CSRF refusal. */
  private auditForeignOrigin(socket: ConsoleSocket): void {
    const cookie = cookieValue(socket.handshake.headers.cookie, SESSION_COOKIE);
    const user = cookie ? this.userFor(sha256Hex(cookie)) : null;
    if (!user) return;
    this.deps.services.audit.append({
      actor: { kind: 'user', id: user.id, name: user.username },
      action: 'auth.csrf',
      outcome: 'denied',
      target: '/socket.io',
      detail: { transport: 'socket.io', origin: socket.handshake.headers.origin ?? null },
      ip: socket.handshake.address,
    });
  }

  /**
   * One console→server event. The last argument must be the ack callback (there is no other way to
   * answer); the session and roles are read afresh, since either may have changed since the handshake.
   */
  private async onClientEvent(socket: ConsoleSocket, name: unknown, args: unknown[]): Promise<void> {
    const ack = typeof args.at(-1) === 'function' ? (args.pop() as (a: unknown) => void) : null;
    if (!ack) return;
    try {
      if (typeof name !== 'string') {
        ack(failure('unknown_event', '未知的消息类型'));
        return;
      }
      if (args.length > 1) {
        ack(failure('invalid_payload', '消息内容无效：每条消息只能带一个参数'));
        return;
      }
      const s = this.deps.services;
      const admitted = admit(this.userFor(socket.data.tokenHash));
      if ('refused' in admitted) {
        ack(failure(admitted.refused.code, admitted.refused.message));
        this.end(socket, admitted.refused);
        return;
      }
      touchSession(s.db, socket.data.tokenHash, s.now());
      socket.data.actor = new Actor(admitted.user, s.areas);
      ack(await runClientEvent(socket.data.actor, name, args[0], s, this.deps.log));
    } catch (e) {
      this.deps.log(`实时消息处理出错: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      ack(failure('internal', '服务器内部错误，请稍后重试或联系管理员'));
    }
  }

  /** Sends one bus event to every socket whose actor may see it. Never throws into the emitter. */
  private deliver(e: RealtimeEvent): void {
    const io = this.io;
    if (!io) return;
    for (const socket of io.of('/').sockets.values()) {
      try {
        const actor = socket.data.actor;
        if (actor && mayReceive(actor, e)) socket.emit(e.type, e);
      } catch (err) {
        this.deps.log(`实时推送出错（${e.type}）: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** Tells the console why, then closes its connection (it must log in again). */
  private end(socket: ConsoleSocket, r: Refusal): void {
    socket.emit(SESSION_ENDED, { code: r.code, message: r.message });
    socket.disconnect(true);
  }

  /** Re-checks every connected socket's session and roles (after a user or session change). */
  revalidateAll(): void {
    const io = this.io;
    if (!io) return;
    try {
      // Several sockets may share a session (tabs): one query each per pass.
      const seen = new Map<string, User | null>();
      for (const socket of [...io.of('/').sockets.values()]) {
        const hash = socket.data.tokenHash;
        if (!hash) continue;
        if (!seen.has(hash)) seen.set(hash, this.userFor(hash));
        const admitted = admit(seen.get(hash) ?? null);
        if ('refused' in admitted) this.end(socket, admitted.refused);
        else socket.data.actor = new Actor(admitted.user, this.deps.services.areas);
      }
    } catch (e) {
      this.deps.log(`实时连接复核出错: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Closes every socket and the socket.io engine; the HTTP server itself is the centre's to close. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    const io = this.io;
    this.io = null;
    if (!io) return;
    io.local.disconnectSockets(true);
    io.engine.close();
  }
}
