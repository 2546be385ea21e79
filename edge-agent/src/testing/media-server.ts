import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { MediaRef } from '@dlb/protocol';

export interface TestMediaServer {
  url: string;
  /** Serve `bytes` at `path` and return the matching MediaRef. */
  add(path: string, bytes: Uint8Array, durationMs?: number): MediaRef;
  /** Serve different bytes than the ref says (tampering). */
  replace(path: string, bytes: Uint8Array): void;
  /** Requests seen per path. */
  hits: Map<string, number>;
  /** Authorization headers seen. */
  auth: string[];
  /** Added to the server time that /t/time reports. */
  serverOffsetMs: number;
  /** Delay each media response by this long. */
  delayMs: number;
  close(): Promise<void>;
}

export function sha256Hex(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** A plain HTTP server standing in for the centre: media files and GET /t/time. */
export async function startMediaServer(): Promise<TestMediaServer> {
  const files = new Map<string, Uint8Array>();
  const hits = new Map<string, number>();
  const auth: string[] = [];
  const state = { serverOffsetMs: 0, delayMs: 0 };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    auth.push(String(req.headers.authorization ?? ''));
    if (path === '/t/time') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ serverTime: Date.now() + state.serverOffsetMs }));
      return;
    }
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const body = files.get(path);
    if (!body) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    setTimeout(() => {
      res.setHeader('content-type', 'application/octet-stream');
      res.setHeader('content-length', String(body.length));
      res.end(body);
    }, state.delayMs);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  const api: TestMediaServer = {
    url: `http://127.0.0.1:${addr.port}`,
    hits,
    auth,
    get serverOffsetMs() {
      return state.serverOffsetMs;
    },
    set serverOffsetMs(v: number) {
      state.serverOffsetMs = v;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(v: number) {
      state.delayMs = v;
    },
    add(path, bytes, durationMs = 200) {
      files.set(path, bytes);
      return { sha256: sha256Hex(bytes), path, bytes: bytes.length, durationMs, mime: 'audio/mpeg' };
    },
    replace(path, bytes) {
      files.set(path, bytes);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return api;
}
