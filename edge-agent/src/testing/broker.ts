import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { Aedes, type AedesOptions } from 'aedes';
// Test-only reach into the centre: the same session guard its embedded broker runs (see that file).
import { guardSessionReplay } from '../../../server/src/mqtt/session-replay-guard.ts';

export interface TestBroker {
  url: string;
  port: number;
  broker: Aedes;
  /** Cut a client's TCP connection without a DISCONNECT (so its Last Will fires). */
  dropClient(clientId: string): boolean;
  close(): Promise<void>;
}

/** An in-process aedes broker on an ephemeral port. */
export async function startBroker(opts: AedesOptions = {}, port = 0): Promise<TestBroker> {
  const broker = await Aedes.createBroker(opts);
  guardSessionReplay(broker);
  const server: Server = createServer(broker.handle);
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  const clients = new Map<string, { conn: { destroy(): void } }>();
  broker.on('client', (c) => clients.set(c.id, c as unknown as { conn: { destroy(): void } }));
  broker.on('clientDisconnect', (c) => clients.delete(c.id));
  return {
    url: `mqtt://127.0.0.1:${addr.port}`,
    port: addr.port,
    broker,
    dropClient(id) {
      const c = clients.get(id);
      if (!c) return false;
      c.conn.destroy();
      return true;
    },
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      server.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
