import { timingSafeEqual } from 'node:crypto';
import net, { type AddressInfo, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { MAX_PAYLOAD_BYTES, TERMINAL_ID } from '@dlb/protocol';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { terminalMayPublish, terminalMaySubscribe } from './acl.ts';
import type { BrokerLink, TerminalAccess } from './broker-link.ts';
import { PacketSizeGuard } from './packet-size-guard.ts';
import { guardSessionReplay } from './session-replay-guard.ts';

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  serverUser: string;
  serverPassword: string;
  access: TerminalAccess;
  log?: (msg: string) => void;
}

type Identity = { role: 'server' } | { role: 'terminal'; tid: string };

function authError(message: string, returnCode: 2 | 4 | 5): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The default broker: aedes inside the server process. Terminals log in with their id and secret and
 * may touch only their own topics (see acl.ts); the server publishes and subscribes in-process.
 */
export class EmbeddedBroker implements BrokerLink {
  private aedes: Aedes | null = null;
  private server: net.Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly identities = new WeakMap<Client, Identity>();

  constructor(private readonly opts: EmbeddedBrokerOptions) {}

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? this.opts.port;
  }

  async start(): Promise<void> {
    const aedes = await Aedes.createBroker({
      authenticate: (client, username, password, done) => {
        const pw = password?.toString('utf8') ?? '';
        if (username === this.opts.serverUser && sameSecret(pw, this.opts.serverPassword)) {
          this.identities.set(client, { role: 'server' });
          return done(null, true);
        }
        if (!username || !TERMINAL_ID.test(username) || !this.opts.access.checkCredentials(username, pw)) {
          return done(authError('bad credentials', 4), false);
        }
        // A terminal may only use its own id as client id, so it cannot take over another's session.
        if (client.id !== username) return done(authError('client id must equal terminal id', 2), false);
        this.identities.set(client, { role: 'terminal', tid: username });
        done(null, true);
      },
      authorizeSubscribe: (client, sub, done) => {
        const who = this.identities.get(client);
        if (who?.role === 'server') return done(null, sub);
        const access = who ? this.opts.access.accessOf(who.tid) : null;
        if (who && access && terminalMaySubscribe(who.tid, access, sub.topic)) return done(null, sub);
        this.opts.log?.(`拒绝订阅 ${sub.topic} (客户端 ${client.id})`);
        done(null, null);
      },
      authorizePublish: (client, packet, done) => {
        if (!client) return done(null);
        const who = this.identities.get(client);
        if (who?.role === 'server') return done(null);
        if (!who) return done(new Error('unauthenticated'));
        const decision = terminalMayPublish(who.tid, packet.topic, packet.payload.length, packet.retain);
        if (decision.ok) return done(null);
        this.opts.log?.(`拒绝发布: ${decision.why}`);
        done(new Error(decision.why));
      },
    });
    guardSessionReplay(aedes);
    this.aedes = aedes;
    const server = net.createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      const guard = new PacketSizeGuard(MAX_PAYLOAD_BYTES + 1024);
      const peer = `${socket.remoteAddress}:${socket.remotePort}`;
      guard.on('error', (e) => {
        // A socket destroyed on shutdown aborts its pipe; only a live broker's refusals are worth a line.
        if (this.server && e.name !== 'AbortError') this.opts.log?.(`断开 ${peer}: ${e.message}`);
        socket.destroy();
      });
      socket.on('error', () => socket.destroy());
      socket.pipe(guard);
      aedes.handle(Duplex.from({ readable: guard, writable: socket }));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) =>
        reject(
          e.code === 'EADDRINUSE'
            ? new Error(
                `MQTT 端口 ${this.opts.port} 已被占用（可能已有 Mosquitto 在运行）：用 DLB_MQTT_PORT 换一个端口，或用 DLB_MQTT_MODE=external 连接它`,
              )
            : e,
        ),
      );
      server.listen(this.opts.port, this.opts.host, () => resolve());
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    const aedes = this.aedes;
    this.server = null;
    this.aedes = null;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((r) => server.close(() => r()));
    if (aedes) await new Promise<void>((r) => aedes.close(() => r()));
  }

  publish(topic: string, payload: Buffer | string, opts: { qos: 0 | 1; retain?: boolean }): Promise<void> {
    const aedes = this.aedes;
    if (!aedes) return Promise.reject(new Error('broker not started'));
    return new Promise((resolve, reject) =>
      aedes.publish(
        {
          cmd: 'publish',
          topic,
          payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
          qos: opts.qos,
          retain: opts.retain ?? false,
          dup: false,
        },
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  }

  subscribe(filter: string, handler: (topic: string, payload: Buffer) => void): Promise<void> {
    const aedes = this.aedes;
    if (!aedes) return Promise.reject(new Error('broker not started'));
    return new Promise((resolve) =>
      aedes.subscribe(
        filter,
        (packet, cb) => {
          handler(packet.topic, packet.payload as Buffer);
          cb();
        },
        () => resolve(),
      ),
    );
  }

  disconnectClient(clientId: string): void {
    const clients = (this.aedes as unknown as { clients?: Record<string, Client> } | null)?.clients;
    clients?.[clientId]?.close();
  }
}
