import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type PlayBody, signEnvelope, sm2GenerateKeyPair, sm2KeyId, topics } from '@dlb/protocol';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AgentProcess,
  type CentreProcess,
  type Media,
  startAgentProcess,
  startCentreProcess,
  tempDir,
  uploadTone,
  waitOnline,
} from './helpers/fleet.ts';
import { eventually } from './helpers/processes.ts';

const VILLAGE_A = '450323101200';
const VILLAGE_B = '450323104200';

type Rejected = { type: 'rejected'; reason: string; commandId?: string };

describe('security against the embedded broker and real agent processes', () => {
  const tmp = tempDir('dlb-sec-');
  let centre: CentreProcess;
  let agent: AgentProcess;
  let other: { tid: string; password: string };
  let serverPassword: string;
  let signingKey: { kid: string; privateKey: string };
  let media: Media;

  beforeAll(async () => {
    centre = await startCentreProcess(tmp.dir);
    agent = await startAgentProcess(centre, tmp.dir, VILLAGE_A);
    const reg = await centre.api.call<{
      terminal: { id: string };
      agentConfig: { mqtt: { password: string } };
    }>('POST', '/api/terminals', { villageCode: VILLAGE_B });
    other = { tid: reg.terminal.id, password: reg.agentConfig.mqtt.password };
    serverPassword = readFileSync(path.join(centre.dataDir, 'keys', 'mqtt-server-password'), 'utf8').trim();
    signingKey = JSON.parse(readFileSync(path.join(centre.dataDir, 'keys', 'signing-key.json'), 'utf8'));
    media = await uploadTone(centre, tmp.dir, 1);
    await waitOnline(centre, [agent.tid]);
  });

  afterAll(async () => {
    await agent?.proc.stop();
    await centre?.proc.stop();
    await tmp.cleanup();
  });

  const rejectedReasons = async () => {
    const { events } = await centre.api.call<{
      events: Array<{ type: string; reason?: string; commandId?: string }>;
    }>('GET', `/api/terminals/${agent.tid}/events`);
    return events.filter((e): e is Rejected => e.type === 'rejected');
  };

  function playBody(): PlayBody {
    return {
      broadcastId: 'bforged0001',
      priority: 150,
      media: {
        sha256: media.sha256,
        path: `/t/media/${media.sha256}`,
        bytes: media.bytes,
        durationMs: media.durationMs,
        mime: 'audio/mpeg',
      },
      audience: { kind: 'terminal', tid: agent.tid },
    };
  }

  it('agents refuse forged, foreign-key, expired and replayed commands and report why', async () => {
    const server = await mqtt.connectAsync(centre.mqttUrl, {
      username: 'dlb-server',
      password: serverPassword,
      clientId: 'sec-test-server',
    });
    try {
      const now = Date.now();
      const foreign = sm2GenerateKeyPair();
      const foreignKid = sm2KeyId(foreign.publicKey);
      const cmdTopic = topics.terminalCmd(agent.tid);
      // 1. signed by another key, claiming the centre's key id
      const forged = signEnvelope(
        { id: 'forged-kid-0001', kind: 'play', issuedAt: now, expiresAt: now + 60_000, body: playBody() },
        { kid: signingKey.kid, privateKey: foreign.privateKey },
      );
      // 2. signed by another key under its own id
      const foreignSigned = signEnvelope(
        { id: 'foreign-key-0001', kind: 'play', issuedAt: now, expiresAt: now + 60_000, body: playBody() },
        { kid: foreignKid, privateKey: foreign.privateKey },
      );
      // 3. properly signed but expired
      const expired = signEnvelope(
        {
          id: 'expired-cmd-0001',
          kind: 'play',
          issuedAt: now - 120_000,
          expiresAt: now - 60_000,
          body: playBody(),
        },
        signingKey,
      );
      for (const e of [forged, foreignSigned, expired])
        await server.publishAsync(cmdTopic, JSON.stringify(e), { qos: 1 });

      // 4. replay: capture a real command on the wire and send the same bytes again
      const captured = new Promise<Buffer>((resolve) =>
        server.on('message', (t, p) => t === cmdTopic && resolve(p)),
      );
      await server.subscribeAsync(cmdTopic, { qos: 1 });
      const { broadcast } = await centre.api.call<{ broadcast: { id: string } }>('POST', '/api/broadcasts', {
        contentId: media.contentId,
        target: { kind: 'terminal', tid: agent.tid },
      });
      const original = await captured;
      await eventually(
        async () => {
          const r = await centre.api.call<{ outcomes: Array<{ outcome: number }> }>(
            'GET',
            `/api/broadcasts/${broadcast.id}`,
          );
          return r.outcomes[0]?.outcome === 3;
        },
        20_000,
        'genuine broadcast played',
      );
      await server.publishAsync(cmdTopic, original, { qos: 1 });

      const reasons = await eventually(
        async () => {
          const r = await rejectedReasons();
          return r.length >= 4 ? r : null;
        },
        20_000,
        'four rejections reported',
      );
      const byId = new Map(reasons.map((r) => [r.commandId, r.reason]));
      expect(byId.get('forged-kid-0001')).toBe('bad-signature');
      expect(byId.get('foreign-key-0001')).toBe('unknown-key');
      expect(byId.get('expired-cmd-0001')).toBe('expired');
      expect(byId.get(JSON.parse(original.toString()).id)).toBe('replay');
      // The genuine one played exactly once.
      const { events } = await centre.api.call<{
        events: Array<{ type: string; broadcastId?: string; outcome?: number }>;
      }>('GET', `/api/terminals/${agent.tid}/events`);
      expect(events.filter((e) => e.broadcastId === broadcast.id && e.outcome === 3)).toHaveLength(1);
      expect(events.filter((e) => e.broadcastId === 'bforged0001')).toHaveLength(0);
    } finally {
      await server.endAsync();
    }
  });

  it("a terminal's credentials cannot read another terminal's topics or write its state", async () => {
    const client = await mqtt.connectAsync(centre.mqttUrl, {
      username: other.tid,
      password: other.password,
      clientId: other.tid,
      reconnectPeriod: 0,
    });
    try {
      // The broker answers SUBACK 0x80 (failure) for each topic outside the terminal's own chain.
      for (const foreign of [
        topics.terminalCmd(agent.tid),
        topics.areaCmd('450323101'),
        'dlb/v1/#',
        'dlb/v1/terminal/+/cmd',
      ]) {
        await expect(client.subscribeAsync(foreign, { qos: 1 }), foreign).rejects.toThrow(/Subscribe error/);
      }
      const own = await client.subscribeAsync([topics.terminalCmd(other.tid), topics.areaCmd('450323104')], {
        qos: 1,
      });
      expect(own.map((g) => g.qos)).toEqual([1, 1]);
      // Publishing another terminal's state gets the connection closed, and the state is not taken.
      const closed = new Promise<void>((r) => client.once('close', () => r()));
      client.publish(
        topics.terminalState(agent.tid),
        JSON.stringify({ status: 3, online: true, at: Date.now() }),
        { qos: 1 },
      );
      await closed;
    } finally {
      await client.endAsync(true);
    }
    const { terminal } = await centre.api.call<{ terminal: { status: number } }>(
      'GET',
      `/api/terminals/${agent.tid}`,
    );
    expect(terminal.status).not.toBe(3);
  });

  it('refuses anonymous, wrong-password and borrowed-client-id connections', async () => {
    const tryConnect = (opts: mqtt.IClientOptions) =>
      mqtt.connectAsync(centre.mqttUrl, { ...opts, reconnectPeriod: 0, connectTimeout: 5000 });
    await expect(tryConnect({ clientId: 'anon-1' })).rejects.toThrow();
    await expect(
      tryConnect({ username: other.tid, password: 'wrong-password-123', clientId: other.tid }),
    ).rejects.toThrow();
    await expect(
      tryConnect({ username: other.tid, password: other.password, clientId: agent.tid }),
    ).rejects.toThrow();
  });

  it('drops oversized and malformed MQTT payloads and keeps serving', async () => {
    const client = await mqtt.connectAsync(centre.mqttUrl, {
      username: other.tid,
      password: other.password,
      clientId: other.tid,
      reconnectPeriod: 0,
    });
    await client.publishAsync(topics.terminalEvents(other.tid), 'not json at all', { qos: 1 });
    await client.publishAsync(
      topics.terminalEvents(other.tid),
      JSON.stringify({ events: [{ type: 'outcome', seq: -1 }] }),
      { qos: 1 },
    );
    const closed = new Promise<void>((r) => client.once('close', () => r()));
    client.publish(topics.terminalEvents(other.tid), Buffer.alloc(200 * 1024, 0x41), { qos: 0 });
    await closed;
    await client.endAsync(true);
    const health = await fetch(`${centre.httpUrl}/healthz`);
    expect(health.status).toBe(200);
    const { events } = await centre.api.call<{ events: unknown[] }>(
      'GET',
      `/api/terminals/${other.tid}/events`,
    );
    expect(events).toEqual([]);
  });

  it('disabling drops a terminal at once; rotating credentials retires the old ones', async () => {
    const connect = (password: string) =>
      mqtt.connectAsync(centre.mqttUrl, {
        username: other.tid,
        password,
        clientId: other.tid,
        reconnectPeriod: 0,
        connectTimeout: 5000,
      });
    const live = await connect(other.password);
    const dropped = new Promise<void>((r) => live.once('close', () => r()));
    await centre.api.call('POST', `/api/terminals/${other.tid}/disable`);
    await dropped;
    await expect(connect(other.password)).rejects.toThrow();
    await centre.api.call('POST', `/api/terminals/${other.tid}/enable`);
    const rotated = await centre.api.call<{
      agentConfig: { mqtt: { password: string }; mediaToken: string };
    }>('POST', `/api/terminals/${other.tid}/rotate-credentials`);
    await expect(connect(other.password)).rejects.toThrow();
    const fresh = await connect(rotated.agentConfig.mqtt.password);
    await fresh.endAsync();
    const time = await fetch(`${centre.httpUrl}/t/time`, {
      headers: { authorization: `Bearer ${other.tid}:${rotated.agentConfig.mediaToken}` },
    });
    expect(time.status).toBe(200);
    other = { tid: other.tid, password: rotated.agentConfig.mqtt.password };
  });

  it('a logged-out session token stops working', async () => {
    const login = await fetch(`${centre.httpUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'test-admin-password-0001' }),
    });
    const { token } = (await login.json()) as { token: string };
    const me = () => fetch(`${centre.httpUrl}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect((await me()).status).toBe(200);
    await fetch(`${centre.httpUrl}/api/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect((await me()).status).toBe(401);
    const wrong = await fetch(`${centre.httpUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'not-the-password' }),
    });
    expect(wrong.status).toBe(401);
  });

  it('API routes refuse unauthenticated calls and unknown ids', async () => {
    for (const [method, p] of [
      ['GET', '/api/terminals'],
      ['POST', '/api/broadcasts'],
      ['POST', '/api/media'],
      ['GET', '/api/areas'],
      ['POST', '/api/terminals'],
    ] as const) {
      const res = await fetch(centre.httpUrl + p, { method });
      expect(res.status, `${method} ${p}`).toBe(401);
    }
    const terminalMedia = await fetch(`${centre.httpUrl}/t/media/${media.sha256}`, {
      headers: { authorization: `Bearer ${agent.tid}:wrong-token-xxxxxxxx` },
    });
    expect(terminalMedia.status).toBe(401);
    await expect(centre.api.call('GET', '/api/terminals/61234567890120301000100')).rejects.toMatchObject({
      status: 404,
    });
    await expect(
      centre.api.call('POST', '/api/broadcasts', {
        contentId: media.contentId,
        target: { kind: 'area', code: '450323999' },
      }),
    ).rejects.toMatchObject({ status: 404 });
    await expect(
      centre.api.call('POST', '/api/terminals', { villageCode: '450323101999' }),
    ).rejects.toMatchObject({ status: 404 });
    await expect(centre.api.call('GET', '/api/terminals?area=12')).rejects.toMatchObject({ status: 400 });
  });
});
