/** What the centre's API answers, as far as the console reads it (see GET /api/openapi.json). */

export type Role =
  | 'county_admin'
  | 'county_operator'
  | 'county_reviewer'
  | 'township_operator'
  | 'township_reviewer'
  | 'emergency_officer'
  | 'auditor';

export interface Grant {
  role: Role;
  scopeCode: string | null;
  label: string;
  scopeName: string;
}

export interface User {
  id: number;
  username: string;
  displayName: string;
  roles: Grant[];
  disabled: boolean;
  mustChangePassword: boolean;
  lockedUntil?: number | null;
  lastLoginAt?: number | null;
  activeSessions?: number;
}

export interface Me {
  user: User;
  permissions: string[];
  session: { via: string; expiresAt: number } | null;
}

export interface Area {
  code: string;
  name: string;
  level: 'county' | 'township' | 'village';
  parentCode: string | null;
}

export interface TerminalState {
  status: number;
  online: boolean;
  at: number;
  version?: string;
  volume?: number;
  playing?: { broadcastId: string; commandId: string; priority: number; startedAt: number } | null;
  clockOffsetMs?: number;
  clockSyncedAt?: number;
}

export interface Terminal {
  id: string;
  villageCode: string;
  townshipCode: string;
  name: string;
  enabled: boolean;
  status: number;
  online: boolean;
  lastSeen: number | null;
  state: TerminalState | null;
  credentialVersion: number;
  drillEnabled?: boolean;
  location?: { lat: number; lon: number } | null;
}

/** A named group of terminals (e.g. 沿河村), held under the county or one township; alerts may target it. */
export interface TerminalGroup {
  id: string;
  name: string;
  scopeCode: string;
  note: string | null;
  terminalIds: string[];
  createdAt: number;
  updatedAt: number;
}

/** A CAP 1.2 severity, and what a department source's alert of that severity does. */
export type CapSeverity = 'Extreme' | 'Severe' | 'Moderate' | 'Minor' | 'Unknown';
export type CapAction = 'sound' | 'confirm';

/** A department system registered to send CAP alerts (GET /api/cap-sources). */
export interface CapSource {
  id: string;
  name: string;
  allowedCodes: string[];
  policy: Record<CapSeverity, CapAction>;
  disabled: boolean;
  createdAt: number;
}

export interface UserRef {
  id: number;
  name: string;
}

export type ContentState = 'draft' | 'submitted' | 'approved' | 'rejected' | 'released';

export interface ContentItem {
  id: string;
  title: string;
  scopeCode: string;
  scopeName: string;
  category: string | null;
  script: string | null;
  mediaSha256: string | null;
  durationMs: number | null;
  state: ContentState;
  stateLabel: string;
  usable: boolean;
  revision: number;
  quality: { ok: boolean; problems?: Array<{ code: string; message: string }> } | null;
  createdBy: UserRef | null;
  createdAt: number;
  updatedBy: UserRef | null;
  updatedAt: number;
  submittedBy: UserRef | null;
  submittedAt: number | null;
  reviewedBy: UserRef | null;
  reviewedAt: number | null;
  rejectReason: string | null;
}

export interface ContentHistoryEntry {
  at: number;
  action: string;
  actionLabel: string;
  fromState: ContentState | null;
  toState: ContentState;
  revision: number;
  reason: string | null;
  user: UserRef | null;
}

export interface Media {
  sha256: string;
  bytes: number;
  durationMs: number;
  mime: string;
  originalName?: string;
}

export type BroadcastTarget =
  | { kind: 'terminal'; tid: string }
  | { kind: 'area'; code: string }
  | { kind: 'terminals'; tids: string[] }
  | { kind: 'county' };

export interface Broadcast {
  id: string;
  title: string | null;
  contentId: string | null;
  mediaSha256: string;
  priority: number;
  target: BroadcastTarget;
  createdAt: number;
  expiresAt: number;
  stoppedAt: number | null;
  summary: Record<string, number>;
  total: number;
}

export interface Outcome {
  terminalId: string;
  outcome: number;
  label: string;
  reason: string | null;
  startedAt: number | null;
  endedAt: number | null;
  updatedAt: number;
}

export type AlertLevel = 'red' | 'orange' | 'yellow' | 'blue';

export interface Alert {
  id: string;
  revision: number;
  state: string;
  status: 'pending' | 'active' | 'expired' | 'cancelled' | 'rejected';
  statusLabel: string;
  drill: boolean;
  level: AlertLevel;
  levelLabel: string;
  eventCode: string;
  eventName: string | null;
  issuer: string;
  /** BCP 47, e.g. zh-CN. */
  language: string;
  title: string;
  text: string;
  /** `groups`: the terminal groups named; their members at raise time are in `terminalIds`. */
  area: { codes: string[]; terminalIds: string[]; groups?: string[] };
  repeat: number;
  intervalMs: number;
  volume: number;
  startsAt: number;
  expiresAt: number;
  source: string;
  createdBy: number | null;
  createdAt: number;
  endedAt: number | null;
  endReason: string | null;
}

export interface Coverage {
  revision: number;
  total: number;
  sounding: number;
  finished: number;
  notSounding: Array<{
    terminalId: string;
    name: string;
    villageCode: string;
    why: string;
    label: string;
    reason: string | null;
  }>;
  counts: Record<string, number>;
}

export interface SlotInstance {
  id: string;
  name: string;
  startAt: number;
  endAt: number;
  maxMs?: number;
  start?: string;
  maxMinutes?: number;
}

export interface ProgrammeItem {
  id: string;
  contentId: string | null;
  title: string | null;
  durationMs: number;
  startAt?: number;
  volume?: number | null;
}

export interface Programme {
  id: string;
  date: string;
  slotId: string | null;
  startTime: string | null;
  scopeCode: string;
  title: string;
  items: ProgrammeItem[];
  runningMs?: number;
}

export interface AuditEntry {
  seq: number;
  at: number;
  actorKind: string;
  actorId: string | null;
  actorName: string | null;
  action: string;
  outcome: string;
  target: string | null;
  detail: Record<string, unknown> | null;
  ip: string | null;
}

export interface TerminalScheduleStatus {
  terminalId: string;
  clockOffsetMs: number | null;
  clockSyncedAt: number | null;
  holdsCurrent: boolean;
  nextSlotKey: string | null;
  nextStartAt: number | null;
  nextSlotCached: boolean | null;
}
