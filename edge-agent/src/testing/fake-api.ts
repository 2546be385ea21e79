import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AgentConfigInput, areaChainOf, type MediaRef, makeTerminalId } from '@dlb/protocol';
import type { TestKey } from './commands.ts';
import { sha256Hex } from './media-server.ts';

export interface FakeApi {
  url: string;
  registrations: number;
  addMedia(path: string, bytes: Uint8Array, durationMs: number): MediaRef;
  close(): Promise<void>;
}

const AREAS = [
  { code: '450323', name: '灵川县', level: 'county', parentCode: null },
  { code: '450323101', name: '大圩镇', level: 'township', parentCode: '450323' },
  { code: '450323101201', name: '大圩村', level: 'village', parentCode: '450323101' },
  { code: '450323101202', name: '毛村', level: 'village', parentCode: '450323101' },
  { code: '450323104', name: '潭下镇', level: 'township', parentCode: '450323' },
  { code: '450323104201', name: '潭下村', level: 'village', parentCode: '450323104' },
];

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text ? JSON.parse(text) : {};
}

/** Just enough of the centre's HTTP API for the simulator: login, areas, terminal registration, time, media. */
export async function startFakeApi(brokerUrl: string, key: TestKey): Promise<FakeApi> {
  const terminals: Array<{ id: string; villageCode: string; name: string; enabled: boolean }> = [];
  const media = new Map<string, Uint8Array>();
  const perVillage = new Map<string, number>();
  const state = { registrations: 0 };
  let url = '';
  const server: Server = createServer(async (req, res) => {
    const send = (status: number, json: unknown) => {
      res.statusCode = status;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(json));
    };
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/t/time') return send(200, { serverTime: Date.now() });
    const file = media.get(path);
    if (file) return res.end(file);
    if (path === '/api/auth/login' && req.method === 'POST') {
      const b = await body(req);
      if (b.username === 'admin' && b.password === 'pw')
        return send(200, { token: 'tok', expiresAt: Date.now() + 3600_000 });
      return send(401, { error: { code: 'unauthorized', message: '用户名或密码错误' } });
    }
    if (req.headers.authorization !== 'Bearer tok')
      return send(401, { error: { code: 'unauthorized', message: '未登录' } });
    if (path === '/api/areas') return send(200, { areas: AREAS });
    if (path === '/api/terminals' && req.method === 'GET') return send(200, { terminals });
    if (path === '/api/terminals' && req.method === 'POST') {
      const b = await body(req);
      const villageCode = String(b.villageCode);
      const n = (perVillage.get(villageCode) ?? 0) + 1;
      perVillage.set(villageCode, n);
      const id = makeTerminalId(villageCode, n);
      const terminal = { id, villageCode, name: String(b.name ?? id), enabled: true };
      terminals.push(terminal);
      state.registrations++;
      const agentConfig: AgentConfigInput = {
        terminalId: id,
        serverUrl: url,
        mqtt: { url: brokerUrl, username: id, password: `pw-${id}` },
        mediaToken: `media-token-${id}`,
        areaChain: areaChainOf(villageCode),
        serverKeys: [{ kid: key.kid, publicKey: key.publicKey }],
        reconnect: { minMs: 50, maxMs: 500 },
      };
      return send(201, { terminal, agentConfig });
    }
    send(404, { error: { code: 'not-found', message: path } });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  url = `http://127.0.0.1:${addr.port}`;
  return {
    url,
    get registrations() {
      return state.registrations;
    },
    addMedia(path, bytes, durationMs) {
      media.set(path, bytes);
      return { sha256: sha256Hex(bytes), path, bytes: bytes.length, durationMs, mime: 'audio/mpeg' };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
