import type { AreaService } from '../areas/area-service.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { UserService } from '../auth/users.ts';
import type { Config } from '../config.ts';
import type { ContentService } from '../content/content-service.ts';
import type { Db } from '../db/database.ts';
import type { BroadcastService } from '../dispatch/broadcast-service.ts';
import type { CommandPublisher } from '../dispatch/command-publisher.ts';
import type { AlertService } from '../emergency/alert-service.ts';
import type { AlertStore } from '../emergency/alert-store.ts';
import type { CapFeed } from '../emergency/cap-feed.ts';
import type { CapSources } from '../emergency/cap-sources.ts';
import type { EventIngest } from '../fleet/event-ingest.ts';
import type { MediaStore } from '../media/store.ts';
import type { MediaRecords } from '../media-library/media-records.ts';
import type { BrokerLink } from '../mqtt/broker-link.ts';
import type { ProgrammeService } from '../schedule/programme-service.ts';
import type { RecurringService } from '../schedule/recurring-service.ts';
import type { ScheduleSource } from '../schedule/schedule-source.ts';
import type { FleetScheduleStatus } from '../schedule/schedule-status.ts';
import type { TargetPublisher } from '../schedule/target-publisher.ts';
import type { ContentSpeech } from '../speech/content-speech.ts';
import type { LexiconStore } from '../speech/lexicon-store.ts';
import type { VersionStore } from '../speech/version-store.ts';
import type { TerminalService } from '../terminals/terminal-service.ts';

/** Everything the HTTP layer calls; built once by the centre and passed in. */
export interface Services {
  config: Config;
  db: Db;
  users: UserService;
  audit: AuditLog;
  areas: AreaService;
  terminals: TerminalService;
  mediaRecords: MediaRecords;
  mediaStore: MediaStore;
  content: ContentService;
  /** Spoken versions, previews and broadcast-ready renders of content items. */
  speech: ContentSpeech;
  versions: VersionStore;
  lexicon: LexiconStore;
  alerts: AlertService;
  alertStore: AlertStore;
  capSources: CapSources;
  capFeed: CapFeed;
  ffmpeg: { ffmpeg: string; ffprobe: string };
  broadcasts: BroadcastService;
  publisher: CommandPublisher;
  events: EventIngest;
  broker: BrokerLink;
  scheduleSource: ScheduleSource;
  programmes: ProgrammeService;
  recurring: RecurringService;
  targets: TargetPublisher;
  scheduleStatus: FleetScheduleStatus;
  startedAt: number;
  now: () => number;
  log: (msg: string) => void;
}
