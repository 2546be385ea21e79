import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';

/**
 * Test support, not used by the server: local stand-ins for Azure's text-to-speech WebSocket endpoint, for the
 * real Speech SDK to talk to. A minimal WebSocket server (RFC 6455 framing, no extensions) that can:
 *  - 'speak': answer like Azure (turn.start, response, audio chunks of a tone, turn.end), recording the SSML;
 *  - 'silent-tcp': accept the TCP connection and never answer the handshake;
 *  - 'silent-ws': complete the handshake, read the request, and never answer it;
 *  - { status }: refuse the WebSocket upgrade with that HTTP status (401 bad key, 429 quota …).
 */

export type FakeMode = 'speak' | 'silent-tcp' | 'silent-ws' | { status: number };

export interface FakeAzure {
  /** ws:// URL of the endpoint, for SpeechConfig.fromEndpoint. */
  url: string;
  /** SSML documents received, in order. */
  ssml: string[];
  /** Connections accepted so far, and how many are still open. */
  accepted(): number;
  openConnections(): number;
  /** Resolves once every accepted connection has been closed (by the client). */
  allClosed(): Promise<void>;
  close(): Promise<void>;
}

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** Audio the fake speaks per character of text (a 300 Hz tone at about -10 dBFS). */
const MS_PER_CHAR = 120;

/** A port nothing listens on: bound, then released. */
export async function refusedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function frame(opcode: number, payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0x80 | opcode, n]) : Buffer.alloc(n < 65536 ? 4 : 10);
  if (n >= 126 && n < 65536) {
    head[0] = 0x80 | opcode;
    head[1] = 126;
    head.writeUInt16BE(n, 2);
  } else if (n >= 65536) {
    head[0] = 0x80 | opcode;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([head, payload]);
}

/** Client frames are masked; returns complete frames and what is left over. */
function readFrames(buf: Buffer): {
  frames: Array<{ fin: boolean; opcode: number; payload: Buffer }>;
  rest: Buffer;
} {
  const frames: Array<{ fin: boolean; opcode: number; payload: Buffer }> = [];
  let at = 0;
  for (;;) {
    if (buf.length - at < 2) break;
    const b0 = buf[at]!;
    const b1 = buf[at + 1]!;
    let len = b1 & 0x7f;
    let pos = at + 2;
    if (len === 126) {
      if (buf.length - pos < 2) break;
      len = buf.readUInt16BE(pos);
      pos += 2;
    } else if (len === 127) {
      if (buf.length - pos < 8) break;
      len = Number(buf.readBigUInt64BE(pos));
      pos += 8;
    }
    const masked = (b1 & 0x80) !== 0;
    const mask = masked ? buf.subarray(pos, pos + 4) : null;
    if (masked) pos += 4;
    if (buf.length - pos < len) break;
    const payload = Buffer.from(buf.subarray(pos, pos + len));
    if (mask) for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i % 4]!;
    frames.push({ fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, payload });
    at = pos + len;
  }
  return { frames, rest: buf.subarray(at) };
}

const textMessage = (path: string, requestId: string, body: string) =>
  frame(
    0x1,
    Buffer.from(`X-RequestId:${requestId}\r\nContent-Type:application/json\r\nPath:${path}\r\n\r\n${body}`),
  );

function audioMessage(requestId: string, streamId: string, pcm: Buffer): Buffer {
  const headers = Buffer.from(
    `X-RequestId:${requestId}\r\nX-StreamId:${streamId}\r\nPath:audio\r\n`,
    'ascii',
  );
  const len = Buffer.alloc(2);
  len.writeUInt16BE(headers.length);
  return frame(0x2, Buffer.concat([len, headers, pcm]));
}

function tone(ms: number, rate: number): Buffer {
  const n = Math.round((rate * ms) / 1000);
  const b = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++)
    b.writeInt16LE(Math.round(10_000 * Math.sin((2 * Math.PI * 300 * i) / rate)), i * 2);
  return b;
}

/** How long the fake "speaks" an SSML document: its text at MS_PER_CHAR, plus its breaks. */
function spokenMs(ssml: string): number {
  const text = ssml.replace(/<[^>]*>/g, '');
  const breaks = [...ssml.matchAll(/<break time="(\d+)ms"\/>/g)].reduce((n, m) => n + Number(m[1]), 0);
  return [...text].length * MS_PER_CHAR + breaks;
}

function speak(socket: net.Socket, requestId: string, ssml: string, rate: number): void {
  const streamId = randomUUID().replace(/-/g, '');
  socket.write(textMessage('turn.start', requestId, '{"context":{"serviceTag":"fake"}}'));
  socket.write(textMessage('response', requestId, JSON.stringify({ audio: { type: 'inline', streamId } })));
  const pcm = tone(spokenMs(ssml), rate);
  for (let at = 0; at < pcm.length; at += 8192)
    socket.write(audioMessage(requestId, streamId, pcm.subarray(at, at + 8192)));
  socket.write(textMessage('turn.end', requestId, '{}'));
}

function serveWebSocket(socket: net.Socket, mode: 'speak' | 'silent-ws', ssml: string[]): void {
  let pending: Buffer = Buffer.alloc(0);
  let message: Buffer[] = [];
  let rate = 24_000;
  socket.on('data', (chunk: Buffer) => {
    const { frames, rest } = readFrames(Buffer.concat([pending, chunk]));
    pending = rest;
    for (const f of frames) {
      if (f.opcode === 0x8) {
        socket.end(frame(0x8, f.payload.subarray(0, 2)));
        return;
      }
      if (f.opcode === 0x9) socket.write(frame(0xa, f.payload));
      if (f.opcode > 0x2) continue;
      message.push(f.payload);
      if (!f.fin) continue;
      const text = Buffer.concat(message).toString('utf8');
      message = [];
      const [head = '', body = ''] = text.split('\r\n\r\n');
      const path = /^path:\s*(.+)$/im.exec(head)?.[1]?.trim().toLowerCase();
      const requestId = /^x-requestid:\s*(.+)$/im.exec(head)?.[1]?.trim() ?? '';
      if (path === 'synthesis.context' && body.includes('16khz')) rate = 16_000;
      if (path !== 'ssml') continue;
      ssml.push(body);
      if (mode === 'speak') speak(socket, requestId, body, rate);
    }
  });
}

export async function startFakeAzure(mode: FakeMode): Promise<FakeAzure> {
  const ssml: string[] = [];
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  let waiters: Array<() => void> = [];
  const track = (socket: net.Socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => {});
    // http.Server sockets allow half-open: close ours when the client closes its side.
    socket.on('end', () => socket.destroy());
    // Read (and drop) what nobody else reads, or the peer's close would never be seen.
    if (mode === 'silent-tcp') socket.resume();
    socket.on('close', () => {
      sockets.delete(socket);
      if (sockets.size === 0) for (const w of waiters.splice(0)) w();
    });
  };
  let server: net.Server;
  if (mode === 'silent-tcp') {
    server = net.createServer(track);
  } else {
    const httpServer = http.createServer((_req, res) => res.writeHead(404).end());
    httpServer.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) => {
      track(socket);
      if (typeof mode === 'object') {
        socket.end(`HTTP/1.1 ${mode.status} Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
        return;
      }
      const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}${GUID}`).digest('base64');
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
      serveWebSocket(socket, mode, ssml);
    });
    server = httpServer;
  }
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/cognitiveservices/websocket/v1`,
    ssml,
    accepted: () => accepted,
    openConnections: () => sockets.size,
    allClosed: () =>
      sockets.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve)),
    close: async () => {
      for (const s of sockets) s.destroy();
      waiters = [];
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
