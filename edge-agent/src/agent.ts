import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AgentConfig,
  type Envelope,
  type NewTerminalEvent,
  type OutcomeEvent,
  type RejectedEvent,
  type StateMessage,
  type TerminalEvent,
  topics,
} from '@dlb/protocol';
import type { IClientOptions, MqttClient } from 'mqtt';
import { buildParts, type Parts } from './agent-parts.ts';
import { type Clock, ClockSync } from './clock.ts';
import { checkCommand } from './command-check.ts';
import { readJsonOr, writeJsonAtomic } from './fs-util.ts';
import { MediaError } from './media-cache.ts';
import { outcomeToEvent } from './outcome.ts';
import type { Playback, PlaybackOutcome } from './playback.ts';
import { CommandPlayer, type Player, SilentSink } from './player.ts';
import { planRecovery } from './recovery.ts';
import {
  consoleLogger,
  errorText,
  type Logger,
  realTimers,
  type TimerHandle,
  type Timers,
  withTimeout,
} from './runtime.ts';
import { agentVersion, buildState, offlineState } from './state.ts';

export interface AgentDeps {
  /** Local clock (default Date.now). */
  now?: () => number;
  random?: () => number;
  timers?: Timers;
  fetch?: typeof fetch;
  /** Default: from config.player. */
  player?: Player;
  log?: Logger;
  /** A clock shared by many agents (the simulator); the agent then neither starts nor stops it. */
  clock?: Clock;
  /** Clock sync settings when the agent keeps its own clock. */
  clockSync?: { samples?: number; intervalMs?: number; firstSyncTimeoutMs?: number };
  mqttConnect?: (url: string, opts: IClientOptions) => MqttClient;
  version?: string;
  media?: { retries?: number; retryDelayMs?: number };
  /** Re-send unacknowledged events after this long without an acknowledgement. */
  resendAfterMs?: number;
  /** Volume before any volume command (default 80). */
  defaultVolume?: number;
}

export type AgentEvents = {
  /** Every event written to the outbox. */
  event: [TerminalEvent];
  outcome: [OutcomeEvent];
  played: [OutcomeEvent];
  rejected: [RejectedEvent];
  /** A command passed every check and is being acted on. */
  command: [Envelope];
  acked: [upTo: number];
  state: [StateMessage];
  connected: [];
  disconnected: [];
};

/** The members of `obj` named in `keys` that are defined. */
function pick<T extends object, K extends keyof T>(obj: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}

/** One terminal: MQTT link, command checks, media cache, player, outbox, state. */
export class Agent extends EventEmitter<AgentEvents> {
  readonly config: AgentConfig;
  private readonly now: () => number;
  private readonly timers: Timers;
  private readonly log: Logger;
  private readonly player: Player;
  private readonly clock: Clock;
  private readonly ownClock: ClockSync | null;
  private readonly version: string;
  private readonly keys: ReadonlyMap<string, string>;
  private parts: Parts | null = null;
  private stateTimer: TimerHandle = null;
  private volume: number;
  private fault: string | null = null;
  private running = false;

  constructor(
    config: AgentConfig,
    private readonly deps: AgentDeps = {},
  ) {
    super();
    this.config = config;
    this.now = deps.now ?? Date.now;
    this.timers = deps.timers ?? realTimers;
    this.log = deps.log ?? consoleLogger(`[${config.terminalId}] `);
    this.version = deps.version ?? agentVersion();
    this.keys = new Map(config.serverKeys.map((k) => [k.kid, k.publicKey]));
    this.player =
      deps.player ??
      (config.player.kind === 'command'
        ? new CommandPlayer(config.player.command, config.player.args, { timers: this.timers })
        : new SilentSink({ timers: this.timers, now: this.now }));
    const authorization = `Bearer ${config.terminalId}:${config.mediaToken}`;
    this.ownClock = deps.clock
      ? null
      : new ClockSync({
          url: new URL('/t/time', config.serverUrl).toString(),
          authorization,
          now: this.now,
          timers: this.timers,
          log: this.log,
          ...(deps.fetch ? { fetch: deps.fetch } : {}),
          ...(deps.clockSync?.samples ? { samples: deps.clockSync.samples } : {}),
          ...(deps.clockSync?.intervalMs ? { intervalMs: deps.clockSync.intervalMs } : {}),
        });
    this.clock = deps.clock ?? this.ownClock!;
    this.volume = deps.defaultVolume ?? 80;
  }

  get terminalId(): string {
    return this.config.terminalId;
  }

  get connected(): boolean {
    return this.parts?.link.connected ?? false;
  }

  correctedNow(): number {
    return this.clock.correctedNow();
  }

  get outboxPending(): number {
    return this.parts?.outbox.pendingCount ?? 0;
  }

  /** Open the data directory, report what a previous run left unfinished, and start connecting. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.open();
    } catch (err) {
      this.running = false;
      this.parts?.outbox.close();
      this.parts?.replay.close();
      this.parts = null;
      throw err;
    }
  }

  private async open(): Promise<void> {
    const cfg = this.config;
    const dir = cfg.dataDir;
    mkdirSync(dir, { recursive: true });
    this.volume = readJsonOr<{ volume?: number }>(join(dir, 'settings.json'), {}).volume ?? this.volume;
    this.checkPlayer();

    if (this.ownClock) {
      await withTimeout(this.timers, this.ownClock.start(), this.deps.clockSync?.firstSyncTimeoutMs ?? 6000);
      this.log.info(`时钟偏差 ${this.ownClock.offsetMs} ms`);
      if (!this.running) return; // stopped while waiting for the clock
    }
    const parts = buildParts({
      config: cfg,
      now: () => this.clock.correctedNow(),
      timers: this.timers,
      random: this.deps.random ?? Math.random,
      log: this.log,
      player: this.player,
      volume: () => this.volume,
      onOutcome: (o) => this.onOutcome(o),
      ...pick(this.deps, ['fetch', 'mqttConnect', 'media', 'resendAfterMs']),
    });
    this.parts = parts;
    const { link, sender } = parts;

    this.recover();
    link.on('connect', () => {
      this.publishState();
      sender.onConnect();
      this.emit('connected');
    });
    link.on('disconnect', () => {
      sender.onDisconnect();
      this.emit('disconnected');
    });
    link.on('message', (topic, payload) => this.onMessage(topic, payload));
    link.start();
    this.scheduleState();
  }

  /** Report an interrupted play, resume what was waiting (see recovery.ts). */
  private recover(): void {
    const { journal, outbox } = this.parts!;
    const found = journal.read();
    const r = planRecovery(found, outbox.pending(), this.clock.correctedNow());
    for (const e of r.events) this.record(e);
    journal.write({ playing: null, queue: [] });
    for (const item of r.resume) this.accept(item, item.queuedAt);
    if (found.playing || r.resume.length > 0) {
      this.log.info(`已恢复: 中断的播放 ${found.playing ? 1 : 0} 条, 继续等待 ${r.resume.length} 条`);
    }
  }

  private onMessage(topic: string, payload: Buffer): void {
    const p = this.parts;
    if (!p) return;
    const tid = this.config.terminalId;
    if (topic === topics.terminalAck(tid)) {
      const dropped = p.sender.onAck(payload);
      if (dropped > 0) this.emit('acked', p.outbox.ackedUpTo);
      return;
    }
    if (topic === topics.terminalTarget(tid)) return; // desired-state documents are not in the contract yet
    const res = checkCommand(topic, payload, {
      self: { terminalId: tid, areaChain: this.config.areaChain, groups: this.config.groups },
      keys: this.keys,
      now: this.clock.correctedNow(),
      maxSkewMs: this.config.maxSkewMs,
      replay: p.replay,
    });
    if (!res.ok) {
      if (res.event) {
        this.log.warn(`拒绝指令: ${res.event.reason} ${res.event.detail ?? ''}`, {
          commandId: res.event.commandId,
        });
        this.record(res.event);
      } else this.log.warn(res.why);
      return;
    }
    const env = res.envelope;
    this.emit('command', env);
    switch (env.kind) {
      case 'play': {
        const b = env.body;
        this.log.info(`收到播放指令 ${b.broadcastId} 优先级 ${b.priority}`, { commandId: env.id });
        this.accept({
          commandId: env.id,
          broadcastId: b.broadcastId,
          priority: b.priority,
          expiresAt: env.expiresAt,
          media: b.media,
          ...(b.startAt !== undefined ? { startAt: b.startAt } : {}),
          ...(b.title !== undefined ? { title: b.title } : {}),
          ...(b.volume !== undefined ? { volume: b.volume } : {}),
        });
        break;
      }
      case 'stop': {
        const n = p.playback.stop(env.body.broadcastId);
        this.log.info(`停止广播 ${env.body.broadcastId}: ${n} 条`);
        break;
      }
      case 'volume': {
        this.volume = env.body.volume;
        writeJsonAtomic(join(this.config.dataDir, 'settings.json'), { volume: this.volume });
        this.log.info(`音量设为 ${this.volume}`);
        this.publishState();
        break;
      }
    }
  }

  /** Queue a play and fetch its audio. */
  private accept(
    item: Parameters<Playback['add']>[0] & Partial<{ queuedAt: number; arrival: number }>,
    queuedAt?: number,
  ): void {
    const parts = this.parts!;
    const { cache, playback } = parts;
    const { queuedAt: _q, arrival: _a, ...clean } = item;
    cache.pin(clean.media.sha256);
    playback.add(clean, queuedAt);
    cache.ensure(clean.media).then(
      (file) => playback.markReady(clean.commandId, file),
      (err: unknown) => {
        if (this.parts !== parts) return; // stopped meanwhile: the journal keeps the item
        const reason = err instanceof MediaError ? err.reason : 'download-failed';
        this.log.warn(`媒体不可用: ${errorText(err)}`, { commandId: clean.commandId });
        playback.fail(clean.commandId, reason);
      },
    );
  }

  private onOutcome(o: PlaybackOutcome): void {
    const p = this.parts!;
    const ev = outcomeToEvent(o, this.clock.correctedNow());
    if (ev.outcome >= 3) p.cache.unpin(o.item.media.sha256);
    this.record(ev);
    if (o.kind !== 'waiting') this.publishState();
  }

  /** Append to the outbox (durable on return), tell listeners, and send. */
  private record(e: NewTerminalEvent): void {
    const p = this.parts!;
    const full = p.outbox.append(e);
    this.emit('event', full);
    if (full.type === 'rejected') this.emit('rejected', full);
    else {
      this.emit('outcome', full);
      if (full.outcome === 3) this.emit('played', full);
    }
    p.sender.flush();
  }

  /** The state document as it would be published now. */
  currentState(): StateMessage {
    const p = this.parts;
    const playing = p?.playback.playing() ?? null;
    return buildState({
      at: this.clock.correctedNow(),
      fault: this.fault,
      version: this.version,
      volume: this.volume,
      playing: playing
        ? {
            broadcastId: playing.item.broadcastId,
            commandId: playing.item.commandId,
            priority: playing.item.priority,
            startedAt: playing.startedAt,
          }
        : null,
      cache: p?.cache.usage() ?? { bytes: 0, files: 0, limitBytes: this.config.cacheLimitBytes },
      clockOffsetMs: this.clock.offsetMs,
      outboxPending: p?.outbox.pendingCount ?? 0,
    });
  }

  private publishState(): void {
    const p = this.parts;
    if (!p?.link.connected) return;
    const state = this.currentState();
    p.link
      .publish({
        topic: topics.terminalState(this.config.terminalId),
        payload: JSON.stringify(state),
        qos: 1,
        retain: true,
      })
      .then(
        () => this.emit('state', state),
        (err: unknown) => this.log.warn(`发布状态失败: ${errorText(err)}`),
      );
  }

  /** A missing player program is a fault (status 3) until it is there again. */
  private checkPlayer(): void {
    const fault = this.player.check();
    if (fault && fault !== this.fault) this.log.error(`终端故障: ${fault}`);
    if (!fault && this.fault) this.log.info('故障已恢复');
    this.fault = fault;
  }

  private scheduleState(): void {
    this.stateTimer = this.timers.setTimeout(() => {
      if (!this.running) return;
      this.parts?.replay.prune(this.clock.correctedNow());
      this.checkPlayer();
      this.publishState();
      this.scheduleState();
    }, this.config.stateIntervalMs);
  }

  /** Stop playing (the journal keeps it), publish offline state, disconnect, close files. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.timers.clearTimeout(this.stateTimer);
    this.stateTimer = null;
    this.ownClock?.stop();
    const p = this.parts;
    if (!p) return;
    const wasConnected = p.link.connected;
    p.playback.shutdown();
    p.cache.stop();
    p.sender.stop();
    await p.link.stop({
      topic: topics.terminalState(this.config.terminalId),
      payload: JSON.stringify(offlineState(this.clock.correctedNow())),
      qos: 1,
      retain: true,
    });
    p.outbox.close();
    p.replay.close();
    this.parts = null;
    if (wasConnected) this.emit('disconnected');
  }
}
