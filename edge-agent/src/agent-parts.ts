import { join } from 'node:path';
import {
  type AgentConfig,
  type NewTerminalEvent,
  type TargetEnvelope,
  terminalReadTopics,
  topics,
} from '@dlb/protocol';
import type { IClientOptions, MqttClient } from 'mqtt';
import { AlertKeeper } from './alert-keeper.ts';
import { alertSequence } from './alert-sequence.ts';
import { EventSender } from './event-sender.ts';
import { PlayJournal } from './journal.ts';
import { MediaCache, MediaError } from './media-cache.ts';
import { MqttLink } from './mqtt-link.ts';
import { Outbox } from './outbox.ts';
import { type NewPlayItem, Playback, type PlaybackOutcome, type PlayItem } from './playback.ts';
import type { Player } from './player.ts';
import { DiskReplayGuard } from './replay-guard.ts';
import { errorText, type Logger, type Timers } from './runtime.ts';
import { offlineState } from './state.ts';
import { type ScheduleSettings, TargetKeeper } from './target-keeper.ts';
import { TargetStore } from './target-store.ts';

/** The agent's stateful components for one run (start → stop). */
export interface Parts {
  outbox: Outbox;
  replay: DiskReplayGuard;
  cache: MediaCache;
  journal: PlayJournal;
  playback: Playback;
  link: MqttLink;
  sender: EventSender;
  targets: TargetKeeper;
  alerts: AlertKeeper;
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
  /** Pinned keys: kid -> public key. */
  keys: ReadonlyMap<string, string>;
  accept: (item: NewPlayItem) => void;
  record: (e: NewTerminalEvent) => void;
  onTargetAccepted: (env: TargetEnvelope, previous: TargetEnvelope | null) => void;
  onTargetSummaryChange: () => void;
  schedule?: ScheduleSettings;
  /** See AgentDeps.reportDelayMs. */
  reportDelayMs?: number;
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
  const store = new TargetStore({
    file: join(dir, 'target.json'),
    terminalId: tid,
    keys: ctx.keys,
    maxSkewMs: cfg.maxSkewMs,
    log,
  });
  const playback = new Playback({
    player: ctx.player,
    now,
    timers,
    volume: ctx.volume,
    onOutcome: ctx.onOutcome,
    onChange: (s) => journal.write(s),
    quiet: () => store.held?.body.quiet ?? [],
    sequence: alertSequence({ player: ctx.player, timers, file: (m) => cache.ensure(m) }),
    // Start first, then fsync the reports once every timer due now has run (many agents in one process).
    defer: ctx.reportDelayMs ? (fn) => timers.setTimeout(fn, ctx.reportDelayMs!) : (fn) => setImmediate(fn),
    log,
  });
  const targets = new TargetKeeper({
    dataDir: dir,
    store,
    now,
    timers,
    random: ctx.random,
    log,
    playback,
    cache,
    accept: ctx.accept,
    record: ctx.record,
    onAccepted: ctx.onTargetAccepted,
    onSummaryChange: ctx.onTargetSummaryChange,
    ...(ctx.schedule ? { settings: ctx.schedule } : {}),
  });
  const alerts = new AlertKeeper({
    dataDir: dir,
    now,
    log,
    playback,
    cache,
    accept: ctx.accept,
    record: ctx.record,
    target: () => store.held,
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
  return { outbox, replay, cache, journal, playback, link, sender, targets, alerts };
}

/**
 * Queue a play and fetch its audio: pinned until its final outcome, marked ready once cached, failed with the
 * cache's reason if it cannot be had. `alive` is false once the run that queued it has stopped (the journal
 * then keeps the item).
 */
export function acceptPlay(
  parts: Parts,
  item: NewPlayItem & Partial<{ queuedAt: number; arrival: number }>,
  queuedAt: number | undefined,
  log: Logger,
  alive: () => boolean,
): void {
  const { cache, playback } = parts;
  const { queuedAt: _q, arrival: _a, ready: _r, file: _f, ...clean } = item as PlayItem;
  cache.pin(clean.media.sha256);
  const file = cache.hit(clean.media.sha256);
  if (file) {
    playback.add(clean, queuedAt, file); // cached: ready at once, one journal write fewer
    return;
  }
  playback.add(clean, queuedAt);
  cache.ensure(clean.media).then(
    (file) => playback.markReady(clean.commandId, file),
    (err: unknown) => {
      if (!alive()) return;
      const reason = err instanceof MediaError ? err.reason : 'download-failed';
      log.warn(`媒体不可用: ${errorText(err)}`, { commandId: clean.commandId });
      playback.fail(clean.commandId, reason);
    },
  );
}
