import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AgentConfig,
  type NewTerminalEvent,
  type StateMessage,
  type TargetEnvelope,
  topics,
} from '@dlb/protocol';
import { acceptPlay, buildParts, type Parts } from './agent-parts.ts';
import { type AgentDeps, type AgentEvents, pick } from './agent-types.ts';
import { type Clock, ClockSync } from './clock.ts';
import { checkCommand, playItemOf } from './command-check.ts';
import { readJsonOr, writeJsonAtomic } from './fs-util.ts';
import { outcomeToEvent } from './outcome.ts';
import type { NewPlayItem, PlaybackOutcome } from './playback.ts';
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
import type { TargetSummary } from './schedule-plan.ts';
import { agentVersion, buildState, offlineState } from './state.ts';

export type { AgentDeps, AgentEvents } from './agent-types.ts';

/** One terminal: MQTT link, command checks, signed target, media cache, player, outbox, state. */
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
    const cs = deps.clockSync ?? {};
    this.ownClock = deps.clock
      ? null
      : new ClockSync({
          url: new URL('/t/time', config.serverUrl).toString(),
          authorization: `Bearer ${config.terminalId}:${config.mediaToken}`,
          now: this.now,
          timers: this.timers,
          log: this.log,
          file: join(config.dataDir, 'clock.json'),
          onSync: (offset, change) => this.onClockSync(offset, change),
          ...pick(deps, ['fetch', 'random']),
          ...pick(cs, ['samples', 'intervalMs', 'timeoutMs']),
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

  get clockOffsetMs(): number {
    return this.clock.offsetMs;
  }

  get outboxPending(): number {
    return this.parts?.outbox.pendingCount ?? 0;
  }

  /** The signed target held now (possibly expired), or null. */
  get target(): TargetEnvelope | null {
    return this.parts?.targets.store.held ?? null;
  }

  /** The held target as the state message reports it. */
  targetSummary(): TargetSummary | null {
    return this.parts?.targets.summary() ?? null;
  }

  /** Open the data directory, report what a previous run left unfinished, and start connecting. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.open();
    } catch (err) {
      this.running = false;
      this.closeFiles();
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

    const own = this.ownClock;
    if (own) {
      // A failed sync keeps the stored offset; start() does not reject, but a listener might throw.
      const first = own.start().catch((err: unknown) => this.log.warn(`校时出错: ${errorText(err)}`));
      if (own.known) this.log.info(`使用保存的时钟偏差 ${own.offsetMs} ms, 后台校时`);
      else {
        // No offset from an earlier run: wait a bounded time for one, then go on regardless.
        await withTimeout(this.timers, first, this.deps.clockSync?.firstSyncTimeoutMs ?? 6000);
        this.log.info(own.known ? `时钟偏差 ${own.offsetMs} ms` : '暂无法校时, 按本机时钟运行');
      }
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
      keys: this.keys,
      accept: (item) => this.accept(item),
      record: (e) => this.record(e),
      onTargetAccepted: (env) => this.onTargetAccepted(env),
      onTargetSummaryChange: () => this.publishState(),
      ...pick(this.deps, ['fetch', 'mqttConnect', 'media', 'resendAfterMs', 'schedule', 'reportDelayMs']),
    });
    this.parts = parts;
    const { link, sender, targets } = parts;

    targets.open(parts.outbox.pending(), parts.journal.read());
    this.recover();
    parts.alerts.open(parts.outbox.pending());
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
    targets.start();
    link.start();
    this.scheduleState();
  }

  /** Report an interrupted play, resume what was waiting (see recovery.ts); the target re-arms its entries. */
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

  private onClockSync(offset: number, change: number): void {
    if (Math.abs(change) >= 1000) this.log.warn(`时钟偏差变化 ${change} ms, 现为 ${offset} ms`);
    this.emit('clock', offset);
    const p = this.parts;
    if (!p || change === 0) return;
    // Timers were set from the old offset: plan again against the corrected clock.
    p.playback.reconcile();
    p.targets.scheduler.reconcile();
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
    if (topic === topics.terminalTarget(tid)) {
      p.targets.onMessage(topic, payload);
      return;
    }
    const res = checkCommand(topic, payload, {
      self: { terminalId: tid, areaChain: this.config.areaChain, groups: this.config.groups },
      keys: this.keys,
      now: this.clock.correctedNow(),
      maxSkewMs: this.config.maxSkewMs,
      replay: p.replay,
      ...(this.deps.signatureCheck && { signatureCheck: this.deps.signatureCheck }),
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
        this.accept(playItemOf(env, b));
        break;
      }
      case 'stop': {
        const n = p.playback.stop(env.body.broadcastId);
        this.log.info(`停止广播 ${env.body.broadcastId}: ${n} 条`);
        break;
      }
      case 'alert':
        p.alerts.onCommand(env.body);
        break;
      case 'alert-cancel':
        p.alerts.cancel(env.body.alertId);
        break;
      case 'volume':
        this.setVolume(env.body.volume);
        this.log.info(`音量设为 ${this.volume}`);
        this.publishState();
        break;
    }
  }

  private setVolume(volume: number): void {
    this.volume = volume;
    writeJsonAtomic(join(this.config.dataDir, 'settings.json'), { volume });
  }

  private onTargetAccepted(env: TargetEnvelope): void {
    if (env.body.volume !== this.volume) {
      this.setVolume(env.body.volume);
      this.log.info(`按目标把音量设为 ${this.volume}`);
    }
    this.parts?.alerts.fromTarget(env);
    this.emit('target', env); // state follows from the scheduler: the summary's version changed
  }

  /** Queue a play and fetch its audio. */
  private accept(
    item: NewPlayItem & Partial<{ queuedAt: number; arrival: number }>,
    queuedAt?: number,
  ): void {
    const parts = this.parts!;
    acceptPlay(parts, item, queuedAt, this.log, () => this.parts === parts);
  }

  private onOutcome(o: PlaybackOutcome): void {
    const p = this.parts!;
    const ev = outcomeToEvent(o, this.clock.correctedNow());
    if (ev.outcome >= 3) p.cache.unpin(o.item.media.sha256);
    this.record(ev);
    if (o.item.source === 'schedule' && ev.outcome >= 3) p.targets.scheduler.poke();
    if (o.kind !== 'waiting') this.publishState();
  }

  /** Append to the outbox (durable on return), tell listeners, and send. */
  private record(e: NewTerminalEvent): void {
    const p = this.parts!;
    const full = p.outbox.append(e);
    p.targets.recorded(full);
    p.alerts.recorded(full);
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
    const syncedAt = this.clock.syncedAt ?? null;
    return buildState({
      at: this.clock.correctedNow(),
      fault: this.fault,
      version: this.version,
      volume: this.volume,
      playing,
      cache: p?.cache.usage() ?? { bytes: 0, files: 0, limitBytes: this.config.cacheLimitBytes },
      clockOffsetMs: this.clock.offsetMs,
      clockSyncedAt: syncedAt,
      target: p?.targets.summary() ?? null,
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

  private closeFiles(): void {
    this.parts?.targets.stop();
    this.parts?.outbox.close();
    this.parts?.replay.close();
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
    p.targets.scheduler.stop();
    p.playback.shutdown();
    p.cache.stop();
    p.sender.stop();
    await p.link.stop({
      topic: topics.terminalState(this.config.terminalId),
      payload: JSON.stringify(offlineState(this.clock.correctedNow())),
      qos: 1,
      retain: true,
    });
    this.closeFiles();
    this.parts = null;
    if (wasConnected) this.emit('disconnected');
  }
}
