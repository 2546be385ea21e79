import { join } from 'node:path';
import { type AgentConfig, terminalReadTopics, topics } from '@dlb/protocol';
import type { IClientOptions, MqttClient } from 'mqtt';
import { EventSender } from './event-sender.ts';
import { PlayJournal } from './journal.ts';
import { MediaCache } from './media-cache.ts';
import { MqttLink } from './mqtt-link.ts';
import { Outbox } from './outbox.ts';
import { Playback, type PlaybackOutcome } from './playback.ts';
import type { Player } from './player.ts';
import { DiskReplayGuard } from './replay-guard.ts';
import type { Logger, Timers } from './runtime.ts';
import { offlineState } from './state.ts';

/** The agent's stateful components for one run (start → stop). */
export interface Parts {
  outbox: Outbox;
  replay: DiskReplayGuard;
  cache: MediaCache;
  journal: PlayJournal;
  playback: Playback;
  link: MqttLink;
  sender: EventSender;
}

export interface PartsContext {
  config: AgentConfig;
  /** Corrected clock. */
  now: () => number;
  timers: Timers;
  random: () => number;
  log: Logger;
  player: Player;
  volume: () => number;
  onOutcome: (o: PlaybackOutcome) => void;
  fetch?: typeof fetch;
  mqttConnect?: (url: string, opts: IClientOptions) => MqttClient;
  media?: { retries?: number; retryDelayMs?: number };
  resendAfterMs?: number;
}

/** Open the files under dataDir and wire the components together (no connection is made yet). */
export function buildParts(ctx: PartsContext): Parts {
  const { config: cfg, now, timers, log } = ctx;
  const dir = cfg.dataDir;
  const tid = cfg.terminalId;
  const outbox = new Outbox(join(dir, 'outbox'));
  const replay = new DiskReplayGuard(join(dir, 'seen.jsonl'), now);
  const cache = new MediaCache({
    dir: join(dir, 'cache'),
    limitBytes: cfg.cacheLimitBytes,
    serverUrl: cfg.serverUrl,
    authorization: `Bearer ${tid}:${cfg.mediaToken}`,
    now,
    timers,
    log,
    ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
    ...ctx.media,
  });
  const journal = new PlayJournal(join(dir, 'playing.json'));
  const playback = new Playback({
    player: ctx.player,
    now,
    timers,
    volume: ctx.volume,
    onOutcome: ctx.onOutcome,
    onChange: (s) => journal.write(s),
    log,
  });
  const link = new MqttLink({
    url: cfg.mqtt.url,
    clientId: tid,
    username: cfg.mqtt.username,
    password: cfg.mqtt.password,
    will: () => ({
      topic: topics.terminalState(tid),
      payload: JSON.stringify(offlineState(now())),
      qos: 1,
      retain: true,
    }),
    subscriptions: terminalReadTopics(tid, cfg.areaChain, cfg.groups),
    reconnect: cfg.reconnect,
    random: ctx.random,
    timers,
    log,
    ...(ctx.mqttConnect ? { connect: ctx.mqttConnect } : {}),
  });
  const sender = new EventSender({
    outbox,
    topic: topics.terminalEvents(tid),
    publish: (topic, payload) => link.publish({ topic, payload, qos: 1, retain: false }),
    isConnected: () => link.connected,
    timers,
    log,
    ...(ctx.resendAfterMs ? { resendAfterMs: ctx.resendAfterMs } : {}),
  });
  return { outbox, replay, cache, journal, playback, link, sender };
}
