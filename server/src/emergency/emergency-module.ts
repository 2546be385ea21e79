import { writeFile } from 'node:fs/promises';
import { type AlertBody, MAX_TARGET_ALERTS } from '@dlb/protocol';
import type { AreaService } from '../areas/area-service.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/database.ts';
import type { CommandPublisher } from '../dispatch/command-publisher.ts';
import type { FfmpegTools } from '../media/ffmpeg-path.ts';
import { ingestAudio } from '../media/ingest.ts';
import type { MediaStore } from '../media/store.ts';
import type { MediaRecords } from '../media-library/media-records.ts';
import type { TargetExtras, TargetScope } from '../schedule/target-publisher.ts';
import type { OfflineSpeechEngine } from '../tts/espeak-offline.ts';
import { synthesiseToMedia } from '../tts/speech-to-media.ts';
import { runWhenQuiet } from '../util/run-when-quiet.ts';
import type { AlertTerminal } from './alert-audience.ts';
import { AlertService, type AlertServiceDeps } from './alert-service.ts';
import { AlertStore } from './alert-store.ts';
import type { CapTerminal } from './cap/index.ts';
import { CapFeed } from './cap-feed.ts';
import { CapSources } from './cap-sources.ts';
import { EmergencyMedia } from './emergency-media.ts';

/**
 * Targets also carry alerts (for terminals that come back later), but recompiling and signing thousands of
 * targets (and every terminal verifying its new one) must not compete with the alert command and the terminals'
 * reports: the command goes out at once; the targets follow after this delay, and after the reports have paused
 * (looked at every ALERT_TARGET_STEP_MS), but never later than ALERT_TARGET_MAX_DELAY_MS.
 */
export const ALERT_TARGET_DELAY_MS = 2000;
export const ALERT_TARGET_STEP_MS = 250;
export const ALERT_TARGET_MAX_DELAY_MS = 15_000;

export interface EmergencyModuleDeps {
  db: Db;
  areas: AreaService;
  mediaStore: MediaStore;
  mediaRecords: MediaRecords;
  ffmpeg: FfmpegTools;
  publisher: CommandPublisher;
  config: Config['emergency'];
  now: () => number;
  log: (msg: string) => void;
  /** Longest audio the media store takes (speech for a long alert text must fit). */
  maxAudioMs: number;
  /** Enabled terminals with coordinates (CAP polygons and circles). */
  located: () => CapTerminal[];
  /** Named terminal groups an alert may target. */
  groups: AlertServiceDeps['groups'];
  /**
   * Speaks text-only alerts and the drill notice, always offline (an alert must not wait on a cloud service):
   * the content speech service's offline path, so alerts get the same normaliser and county lexicon.
   */
  speechEngine: Pick<OfflineSpeechEngine, 'synthesise'>;
}

/** The emergency path's parts, built together: media, store, service, and what targets add for alerts. */
export class EmergencyModule {
  readonly media: EmergencyMedia;
  readonly store: AlertStore;
  readonly alerts: AlertService;
  readonly capSources: CapSources;
  readonly capFeed: CapFeed;
  private touchTargets: (scope: TargetScope) => void = () => {};
  private reportsBusy: () => boolean = () => false;
  private readonly timers = new Set<() => void>();
  private prepared = false;
  private inForceCache: { at: number; list: ReturnType<AlertStore['inForce']> } | null = null;

  private readonly now: () => number;

  constructor(deps: EmergencyModuleDeps) {
    this.now = deps.now;
    const speak = (text: string, language: string) =>
      synthesiseToMedia(
        {
          engine: deps.speechEngine,
          tools: deps.ffmpeg,
          store: deps.mediaStore,
          records: deps.mediaRecords,
          maxDurationMs: deps.maxAudioMs,
          log: deps.log,
        },
        { text, voice: /^(yue|zh-HK)/.test(language) ? 'yue' : 'cmn' },
      );
    this.media = new EmergencyMedia({
      tools: deps.ffmpeg,
      store: deps.mediaStore,
      records: deps.mediaRecords,
      log: deps.log,
      speak: (text: string) => speak(text, 'zh-CN'),
    });
    this.store = new AlertStore(deps.db);
    this.alerts = new AlertService({
      db: deps.db,
      store: this.store,
      areas: deps.areas,
      media: deps.mediaRecords,
      emergencyMedia: this.media,
      publisher: deps.publisher,
      config: deps.config,
      now: deps.now,
      touchTargets: (scopes) => this.later(scopes),
      mediaReady: () => this.ready,
      speak,
      groups: deps.groups,
    });
    this.capSources = new CapSources(deps.db, deps.now);
    this.capFeed = new CapFeed({
      alerts: this.alerts,
      store: this.store,
      areas: deps.areas,
      located: deps.located,
      now: deps.now,
      storeAudio: async (data, mimeType) => {
        const file = deps.mediaStore.tempPath('.audio');
        await writeFile(file, data);
        const out = await ingestAudio(file, {
          tools: deps.ffmpeg,
          store: deps.mediaStore,
          maxDurationMs: 30 * 60_000,
        });
        deps.mediaRecords.upsert(
          {
            sha256: out.sha256,
            bytes: out.bytes,
            durationMs: out.durationMs,
            mime: out.mime,
            originalName: `CAP ${mimeType}`,
          },
          null,
        );
        return out.sha256;
      },
    });
  }

  /** Starts making the attention tone and drill notice; `ready` resolves when done (or failed, logged). */
  start(
    touchTargets: (scope: TargetScope) => void,
    log: (msg: string) => void,
    reportsBusy: () => boolean = () => false,
  ): void {
    this.touchTargets = touchTargets;
    this.reportsBusy = reportsBusy;
    this.ready = this.media.prepare().then(
      async () => {
        this.prepared = true;
        // Drills still in force after a restart need their notice in the targets at once.
        if (this.store.inForce(this.now()).some((a) => a.drill)) await this.media.ensureDrillNotice();
      },
      (e: Error) => log(`应急提示音生成失败，预警暂不可用: ${e.message}`),
    );
  }

  /** Resolves when start()'s preparation has finished (successfully or not). */
  ready: Promise<void> = Promise.resolve();

  async stop(): Promise<void> {
    for (const cancel of this.timers) cancel();
    this.timers.clear();
    await this.ready;
  }

  private later(scopes: readonly TargetScope[]): void {
    this.inForceCache = null;
    const cancel = runWhenQuiet(
      () => {
        this.timers.delete(cancel);
        for (const s of scopes) this.touchTargets(s);
      },
      {
        minMs: ALERT_TARGET_DELAY_MS,
        maxMs: ALERT_TARGET_MAX_DELAY_MS,
        stepMs: ALERT_TARGET_STEP_MS,
        busy: () => this.reportsBusy(),
      },
    );
    this.timers.add(cancel);
  }

  /** What a terminal's target adds: the attention tone to pin, whether it takes drills, and alerts in force. */
  extrasFor(t: AlertTerminal, at: number): TargetExtras {
    if (!this.prepared) return {};
    // One refresh asks for every terminal at the same instant: read the alerts in force once.
    if (!this.inForceCache || this.inForceCache.at !== at)
      this.inForceCache = { at, list: this.store.inForce(at) };
    const inForce: AlertBody[] = [];
    for (const a of this.alerts.inForceFor(t, at, this.inForceCache.list).slice(0, MAX_TARGET_ALERTS)) {
      try {
        inForce.push(this.alerts.bodyFor(a, { kind: 'terminal', tid: t.id }));
      } catch {
        // Its audio (or the drill notice) is not there: the terminal hears it by command; a target cannot carry it.
      }
    }
    return {
      attention: this.media.attention,
      ...(t.drillEnabled ? { drillEnabled: true } : {}),
      ...(inForce.length > 0 ? { alerts: inForce } : {}),
    };
  }
}
