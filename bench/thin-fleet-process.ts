/**
 * A slice of "thin" terminals for the emergency benchmark, driven over IPC like bench/fleet-process.ts. Each is
 * what a board must do between an alert arriving and its report leaving, and nothing else: its own MQTT
 * connection with its own credentials and subscriptions; the agent's full command check (size, envelope shape,
 * key id, SM2 signature, expiry, freshness, replay, audience: `checkCommand`); the attention tone taken as
 * cached (as it is on every terminal, see the target's `attention`); and its report, in the wire format
 * (`terminal/{tid}/events`, QoS 1), marked `phase: 'attention'`. Like an agent, each takes its own retained
 * target (full check with its own SM2 verification: every target is different) and is ready once that target
 * names the attention tone. Not done here: the download of that tone, the player, the ledgers and the on-disk
 * outbox (the full agents, `--fleet agents`, do all of that).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkCommand, memoisedDecode } from '@dlb/edge-agent';
import {
  type AgentConfig,
  type AgentConfigInput,
  AgentConfigSchema,
  type DecodeMemo,
  type EventsMessage,
  MemoryReplayGuard,
  terminalReadTopics,
  topics,
  verifyTarget,
} from '@dlb/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import type { FleetReply, FleetRequest } from './fleet-pool.ts';
import { processProfile } from './process-profile.ts';

const profile = processProfile('thin-fleet');

interface Thin {
  cfg: AgentConfig;
  targetTopic: string;
  targetVersion: number;
  attentionSha: string | null;
  client: MqttClient;
  keys: Map<string, string>;
  replay: MemoryReplayGuard;
  seq: number;
  outbox: string;
}

const thins: Thin[] = [];
const starts = new Map<string, Map<string, number>>();
const received = new Map<string, number>();
let connected = 0;
let targetsTaken = 0;

/** A new retained target: checked as the agent's target keeper does, kept if newer. */
function onTarget(t: Thin, payload: Buffer): void {
  const v = verifyTarget(payload, { keys: t.keys, now: Date.now(), maxSkewMs: t.cfg.maxSkewMs });
  if (!v.ok || v.envelope.body.tid !== t.cfg.terminalId || v.envelope.body.version <= t.targetVersion) return;
  t.targetVersion = v.envelope.body.version;
  t.attentionSha = v.envelope.body.attention?.sha256 ?? null;
  targetsTaken++;
}

function onMessage(t: Thin, topic: string, payload: Buffer, decodeMemo: DecodeMemo | undefined) {
  if (topic === t.targetTopic) return onTarget(t, payload);
  const res = checkCommand(topic, payload, {
    self: { terminalId: t.cfg.terminalId, areaChain: t.cfg.areaChain, groups: t.cfg.groups },
    keys: t.keys,
    now: Date.now(),
    maxSkewMs: t.cfg.maxSkewMs,
    replay: t.replay,
    ...(decodeMemo && { decodeMemo }),
  });
  if (!res.ok || res.envelope.kind !== 'alert') return;
  const body = res.envelope.body;
  const at = Date.now(); // the tone starts now: it is in every terminal's cache
  const byAlert = starts.get(body.alertId) ?? new Map<string, number>();
  starts.set(body.alertId, byAlert);
  if (!byAlert.has(t.cfg.terminalId)) byAlert.set(t.cfg.terminalId, at);
  received.set(body.alertId, (received.get(body.alertId) ?? 0) + 1);
  const commandId = res.envelope.id;
  const msg: EventsMessage = {
    outbox: t.outbox,
    events: [
      {
        type: 'outcome',
        seq: ++t.seq,
        at,
        commandId,
        broadcastId: body.alertId,
        outcome: 1,
        source: 'alert',
      },
      {
        type: 'outcome',
        seq: ++t.seq,
        at,
        commandId,
        broadcastId: body.alertId,
        outcome: 2,
        source: 'alert',
        phase: 'attention',
        startedAt: at,
      },
    ],
  };
  t.client.publish(topics.terminalEvents(t.cfg.terminalId), JSON.stringify(msg), { qos: 1 });
}

async function start(configs: AgentConfigInput[], shared: boolean): Promise<void> {
  const decodeMemo = shared ? memoisedDecode() : undefined;
  for (let i = 0; i < configs.length; i += 100) {
    await Promise.all(
      configs.slice(i, i + 100).map(async (input) => {
        const cfg = AgentConfigSchema.parse({
          ...input,
          dataDir: '/nonexistent',
          player: { kind: 'silent' },
        });
        const client = await mqtt.connectAsync(cfg.mqtt.url, {
          username: cfg.mqtt.username,
          password: cfg.mqtt.password,
          clientId: cfg.mqtt.username,
          reconnectPeriod: 1000,
        });
        const t: Thin = {
          cfg,
          targetTopic: topics.terminalTarget(cfg.terminalId),
          targetVersion: 0,
          attentionSha: null,
          client,
          keys: new Map(cfg.serverKeys.map((k) => [k.kid, k.publicKey])),
          replay: new MemoryReplayGuard(),
          seq: 0,
          outbox: `thin-${cfg.terminalId.slice(-12)}-${Date.now().toString(36)}`,
        };
        client.on('message', (topic, payload) => onMessage(t, topic, payload, decodeMemo));
        client.on('connect', () => connected++);
        client.on('close', () => connected--);
        connected++;
        await client.subscribeAsync(terminalReadTopics(cfg.terminalId, cfg.areaChain, cfg.groups), {
          qos: 1,
        });
        thins.push(t);
      }),
    );
  }
}

async function handle(req: FleetRequest): Promise<FleetReply> {
  switch (req.type) {
    case 'start':
      await start(
        (
          JSON.parse(readFileSync(path.join(req.dataDir, 'sim-terminals.json'), 'utf8')) as {
            terminals: AgentConfigInput[];
          }
        ).terminals,
        req.shareSignatureChecks,
      );
      return { type: 'started', id: req.id };
    case 'status': {
      // Ready: its target names the attention tone (taken as cached, as the full agents download it).
      const ready = thins.filter((t) => t.attentionSha !== null);
      return {
        type: 'status',
        id: req.id,
        connected,
        ready: ready.length,
        attentionSha: ready[0]?.attentionSha ?? '',
        targetActivity: targetsTaken,
      };
    }
    case 'attention': {
      const got = received.get(req.alertId) ?? 0;
      return {
        type: 'attention',
        id: req.id,
        starts: [...(starts.get(req.alertId) ?? new Map()).entries()],
        // A thin terminal's part ends with its report: count every one as played for the bench's quiet check.
        tally: { received: got, played: got, failed: 0, cancelled: 0 },
      };
    }
    case 'profile':
      await (req.on ? profile.start() : profile.stop());
      return { type: 'profiled', id: req.id };
    case 'stop':
      await Promise.all(thins.map((t) => t.client.endAsync(true).catch(() => {})));
      thins.length = 0;
      return { type: 'stopped', id: req.id };
  }
}

process.on('message', (req: FleetRequest) => {
  handle(req).then(
    (r) => process.send?.(r),
    (e: unknown) =>
      process.send?.({
        type: 'error',
        id: req.id,
        message: e instanceof Error ? (e.stack ?? e.message) : String(e),
      }),
  );
});
process.on('disconnect', () => process.exit(0));
