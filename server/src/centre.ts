import { mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createApp } from './api/app.ts';
import type { Services } from './api/services.ts';
import { AreaService } from './areas/area-service.ts';
import { checkAuditTrail, keepAuditHead, summariseVerify } from './audit/audit-head.ts';
import { AuditLog } from './audit/audit-log.ts';
import { UserService } from './auth/users.ts';
import type { Config } from './config.ts';
import { ContentService } from './content/content-service.ts';
import { type Db, openDatabase } from './db/database.ts';
import { BroadcastService } from './dispatch/broadcast-service.ts';
import { CommandPublisher } from './dispatch/command-publisher.ts';
import { EmergencyModule } from './emergency/emergency-module.ts';
import { firstStart } from './first-start.ts';
import { EventIngest } from './fleet/event-ingest.ts';
import { ReportSubscriptions } from './fleet/report-subscriptions.ts';
import { loadOrCreateSigningKeys, type SigningKeys } from './keys/signing-keys.ts';
import { resolveFfmpegTools } from './media/ffmpeg-path.ts';
import { MediaStore } from './media/store.ts';
import { checkFfmpegTools } from './media/tool-check.ts';
import { MediaRecords } from './media-library/media-records.ts';
import type { BrokerLink } from './mqtt/broker-link.ts';
import { EmbeddedBroker } from './mqtt/embedded-broker.ts';
import { ExternalBrokerLink } from './mqtt/external-link.ts';
import { MosquittoFiles } from './mqtt/mosquitto/file-writer.ts';
import { mosquittoPasswordHash } from './mqtt/mosquitto/password-hash.ts';
import { relayAuditToConsole } from './realtime/console-relay.ts';
import { RealtimeBus } from './realtime/realtime-bus.ts';
import { RealtimeServer } from './realtime/realtime-server.ts';
import { ProgrammeService } from './schedule/programme-service.ts';
import { ProgrammeStore } from './schedule/programme-store.ts';
import { RecurringService } from './schedule/recurring-service.ts';
import { ScheduleSource } from './schedule/schedule-source.ts';
import { FleetScheduleStatus } from './schedule/schedule-status.ts';
import { TargetJobs } from './schedule/target-jobs.ts';
import { TargetPublisher } from './schedule/target-publisher.ts';
import type { TimelineOptions } from './schedule/timeline.ts';
import { loadOrCreateSecret } from './secrets.ts';
import { SpeechModule } from './speech/speech-module.ts';
import { TerminalGroups } from './terminals/terminal-groups.ts';
import { TerminalService } from './terminals/terminal-service.ts';

export { SAMPLE_COUNTY_FILE } from './first-start.ts';

export interface CentreOptions {
  now?: () => number;
  log?: (msg: string) => void;
  /** Where the first-start admin password is shown (once). */
  announce?: (msg: string) => void;
}

/** The county control centre: database, broker, services and HTTP API, with start()/stop(). */
export class Centre {
  readonly db: Db;
  readonly keys: SigningKeys;
  readonly services: Services;
  private readonly broker: BrokerLink;
  private readonly mosquitto: MosquittoFiles | null;
  private readonly serverMqttPassword: string;
  private readonly targetJobs: TargetJobs;
  readonly bus = new RealtimeBus();
  private readonly realtime: RealtimeServer;
  private unwatchSchedule: (() => void) | null = null;
  private reports: ReportSubscriptions | null = null;
  private stopAuditHead: (() => void) | null = null;
  private readonly emergency: EmergencyModule;
  private readonly speechModule: SpeechModule;
  private httpServer: http.Server | null = null;
  private credentialWrite: Promise<void> = Promise.resolve();

  constructor(
    readonly config: Config,
    private readonly opts: CentreOptions = {},
  ) {
    const now = opts.now ?? Date.now;
    const log = opts.log ?? ((m: string) => console.error(`[dlb] ${m}`));
    mkdirSync(config.dataDir, { recursive: true });
    this.db = openDatabase(path.join(config.dataDir, 'dlb.sqlite'));
    this.keys = loadOrCreateSigningKeys(config.dataDir, now);
    this.serverMqttPassword =
      config.mqtt.serverPassword ?? loadOrCreateSecret(config.dataDir, 'mqtt-server-password');

    const areas = new AreaService(this.db);
    const terminals = new TerminalService(this.db, areas, () => this.provisioning(), now);
    const groups = new TerminalGroups(this.db, areas, now);
    this.broker =
      config.mqtt.mode === 'embedded'
        ? new EmbeddedBroker({
            host: config.mqtt.host,
            port: config.mqtt.port,
            serverUser: config.mqtt.serverUser,
            serverPassword: this.serverMqttPassword,
            access: {
              checkCredentials: (tid, pw) => terminals.checkMqttCredentials(tid, pw),
              accessOf: (tid) => terminals.accessOf(tid),
            },
            log,
          })
        : new ExternalBrokerLink({
            url: config.mqtt.url ?? 'mqtt://127.0.0.1:1883',
            username: config.mqtt.serverUser,
            password: this.serverMqttPassword,
            log,
          });
    this.mosquitto = MosquittoFiles.fromConfig(config.mqtt.mosquitto);
    const mediaStore = new MediaStore(path.join(config.dataDir, 'media'));
    const mediaRecords = new MediaRecords(this.db, now);
    const content = new ContentService({ db: this.db, areas, media: mediaRecords, now });
    const events = new EventIngest(this.db, terminals, now, log, this.bus);
    const publisher = new CommandPublisher({
      broker: this.broker,
      signer: this.keys.signer,
      now,
      ttlMs: config.broadcast.commandTtlSec * 1000,
    });
    const broadcasts = new BroadcastService({
      db: this.db,
      areas,
      terminals,
      media: mediaRecords,
      content,
      publisher,
      commandTtlMs: config.broadcast.commandTtlSec * 1000,
      now,
    });
    const scheduleSource = new ScheduleSource({
      file: config.schedule.file,
      lastGoodFile: path.join(config.dataDir, 'schedule.last-good.yaml'),
      log,
      now,
    });
    const calendar = () => scheduleSource.calendar();
    const countyCode = () => areas.list().find((a) => a.level === 'county')?.code ?? null;
    const timeline: TimelineOptions = {
      gapMs: config.schedule.itemGapMs,
      lateToleranceMs: config.schedule.lateToleranceMs,
      mediaPath: (sha) => `/t/media/${sha}`,
    };
    const ffmpeg = resolveFfmpegTools({ ffmpeg: config.media.ffmpegPath, ffprobe: config.media.ffprobePath });
    this.speechModule = new SpeechModule({
      config,
      db: this.db,
      areas,
      content,
      mediaStore,
      mediaRecords,
      ffmpeg,
      now,
      log,
    });
    this.emergency = new EmergencyModule({
      db: this.db,
      areas,
      mediaStore,
      mediaRecords,
      ffmpeg,
      publisher,
      config: config.emergency,
      now,
      log,
      located: () => terminals.located(),
      groups,
      maxAudioMs: config.media.maxDurationSec * 1000,
      speechEngine: this.speechModule.offlineEngine,
    });
    const emergency = this.emergency;
    const store = new ProgrammeStore(this.db);
    const targets = new TargetPublisher({
      db: this.db,
      store,
      calendar,
      countyCode,
      broker: this.broker,
      signer: this.keys.signer,
      now,
      windowMs: config.schedule.windowHours * 3600_000,
      timeline,
      log,
      extrasFor: (t, at) => emergency.extrasFor(t, at),
    });
    const touched = targets.touch.bind(targets);
    const programmes = new ProgrammeService({
      store,
      areas,
      media: mediaRecords,
      content,
      calendar,
      timeline,
      now,
      touched,
    });
    const recurring = new RecurringService({
      store,
      programmes,
      areas,
      media: mediaRecords,
      content,
      calendar,
      now,
      touched,
    });
    this.targetJobs = new TargetJobs({
      targets,
      expression: config.schedule.refreshCron,
      timeZone: config.timezone,
      log,
    });
    // Content that starts or stops being approved changes what sounds: every schedule is recompiled.
    content.onUsableChange(() => targets.touch({ kind: 'all' }));
    terminals.onChange(({ tid, kind }) => {
      if (kind === 'disabled' || kind === 'rotated') this.broker.disconnectClient(tid);
      if (kind === 'disabled')
        targets.withdraw(tid).catch((e) => log(`撤回终端 ${tid} 的计划失败: ${(e as Error).message}`));
      if (kind === 'added' || kind === 'enabled') targets.touch({ kind: 'terminal', tid });
      this.syncBrokerCredentials().catch((e) =>
        log(`写入 Mosquitto 密码/ACL 文件失败: ${(e as Error).message}`),
      );
    });
    const { speech, versions, lexicon } = this.speechModule;
    this.services = {
      config,
      db: this.db,
      users: new UserService(this.db, config.auth.sessionTtlHours * 3600_000, now, {
        idleMs: config.auth.idleMinutes * 60_000,
        lockout: config.auth.lockout,
      }),
      audit: new AuditLog(this.db, now),
      areas,
      terminals,
      groups,
      mediaRecords,
      mediaStore,
      content,
      speech,
      versions,
      lexicon,
      ffmpeg,
      alerts: emergency.alerts,
      alertStore: emergency.store,
      capSources: emergency.capSources,
      capFeed: emergency.capFeed,
      broadcasts,
      publisher,
      events,
      broker: this.broker,
      scheduleSource,
      programmes,
      recurring,
      targets,
      scheduleStatus: new FleetScheduleStatus(this.db),
      startedAt: now(),
      now,
      log,
    };
    this.realtime = new RealtimeServer({ services: this.services, bus: this.bus, log });
    relayAuditToConsole({
      audit: this.services.audit,
      db: this.db,
      bus: this.bus,
      revalidateSockets: () => this.realtime.revalidateAll(),
    });
  }

  /** Rewrites Mosquitto's files (when configured); resolves when the broker has reloaded them. */
  syncBrokerCredentials(): Promise<void> {
    const files = this.mosquitto;
    if (!files) return Promise.resolve();
    const terminals = this.services.terminals.mosquittoEntries();
    this.credentialWrite = this.credentialWrite
      .catch(() => {})
      .then(() =>
        files.write({
          serverUser: this.config.mqtt.serverUser,
          serverHash: mosquittoPasswordHash(this.serverMqttPassword),
          terminals,
        }),
      );
    return this.credentialWrite;
  }

  get httpPort(): number {
    return (this.httpServer?.address() as AddressInfo | null)?.port ?? this.config.http.port;
  }

  get mqttUrl(): string {
    if (this.config.mqtt.publicUrl) return this.config.mqtt.publicUrl;
    if (this.broker instanceof EmbeddedBroker) return `mqtt://127.0.0.1:${this.broker.port}`;
    return this.config.mqtt.url ?? 'mqtt://127.0.0.1:1883';
  }

  get httpUrl(): string {
    return this.config.http.publicUrl ?? `http://127.0.0.1:${this.httpPort}`;
  }

  private provisioning() {
    return {
      serverUrl: this.httpUrl,
      mqttUrl: this.mqttUrl,
      serverKeys: [{ kid: this.keys.kid, publicKey: this.keys.publicKey }],
    };
  }

  /** Verifies the audit chain against the head file kept beside the database, then keeps that file current. */
  private checkAuditTrail(): void {
    const { log, audit } = this.services;
    const headFile = path.join(this.config.dataDir, 'audit-head.json');
    const check = checkAuditTrail(this.db, headFile);
    for (const w of check.warnings) log(w);
    log(summariseVerify(check.result, check.head));
    this.stopAuditHead = keepAuditHead(audit, headFile, (e) => log(e.message));
  }

  async start(): Promise<void> {
    const toolProblems = await checkFfmpegTools(this.services.ffmpeg);
    if (toolProblems.length > 0) {
      throw new Error(
        `ffmpeg 不可用 (${this.services.ffmpeg.ffmpeg}): ${toolProblems.join('; ')}。请安装带 libmp3lame 的 ffmpeg，或在配置 media.ffmpegPath 中指定`,
      );
    }
    // An invalid schedule file falls back to the last good copy; with none, the centre refuses to start.
    this.services.scheduleSource.start();
    this.checkAuditTrail();
    await firstStart(this.services, this.opts.announce ?? console.log);
    await this.services.mediaStore.sweepTemp();
    // Before the first targets go out, so every terminal's target pins the attention tone from the start.
    this.emergency.start(
      (scope) => this.services.targets.touch(scope),
      this.services.log,
      () => this.reports?.busy() ?? false,
    );
    await this.emergency.ready;
    await this.syncBrokerCredentials();
    // The embedded broker starts with no connections: whoever was online must reconnect to say so.
    // (An external broker's retained states are delivered on subscribe instead.)
    if (this.broker instanceof EmbeddedBroker)
      this.db.prepare('UPDATE terminals SET online = 0, status = 2').run();
    await this.broker.start();
    const { events, log } = this.services;
    this.reports = new ReportSubscriptions(this.broker, events, log);
    await this.reports.start();
    // Every terminal's target, published again: an embedded broker forgot its retained messages.
    const { targets, scheduleSource } = this.services;
    const r = await targets.refresh({ kind: 'all' }, { force: true });
    log(
      `已下发 ${r.published} 个终端的目标计划（编译 ${Math.round(r.compileMs)} ms，发布 ${Math.round(r.publishMs)} ms）`,
    );
    this.unwatchSchedule = scheduleSource.onChange(() => {
      targets.touch({ kind: 'all' });
      for (const c of this.services.programmes.conflicts()) {
        log(`时段表修改后，节目“${c.title}”（${c.date}）不再符合：${c.message}`);
      }
    });
    this.targetJobs.start();
    const server = http.createServer(createApp(this.services));
    this.realtime.attach(server);
    // A 50 MB recording over a village uplink can take longer than Node's default 5 minutes.
    server.requestTimeout = 30 * 60_000;
    this.httpServer = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) =>
        reject(
          e.code === 'EADDRINUSE'
            ? new Error(`HTTP 端口 ${this.config.http.port} 已被占用：用 DLB_HTTP_PORT 换一个端口`)
            : e,
        ),
      );
      server.listen(this.config.http.port, this.config.http.host, () => resolve());
    }).catch(async (e) => {
      await this.broker.stop();
      throw e;
    });
  }

  async stop(): Promise<void> {
    await this.targetJobs.stop();
    await this.emergency.stop();
    await this.speechModule.stop();
    this.unwatchSchedule?.();
    this.unwatchSchedule = null;
    this.services.scheduleSource.stop();
    await this.realtime.stop();
    const server = this.httpServer;
    this.httpServer = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
    await this.services.targets.whenIdle();
    this.reports?.stop();
    this.reports = null;
    await this.broker.stop();
    await this.credentialWrite.catch(() => {});
    this.stopAuditHead?.();
    this.stopAuditHead = null;
    this.db.close();
  }
}
