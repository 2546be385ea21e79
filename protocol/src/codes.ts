/** Priorities (DESIGN.md §5): a higher number preempts a lower one; equal priorities wait their turn. */
export const Priority = {
  emergencyRed: 250,
  emergencyOrange: 240,
  emergencyYellow: 230,
  emergencyBlue: 220,
  countyLive: 200,
  townshipLive: 180,
  countyProgramme: 150,
  townshipProgramme: 120,
  test: 50,
} as const;

/** Per-terminal broadcast outcome, as the national playback-feedback codes. */
export const Outcome = {
  unprocessed: 0,
  waiting: 1,
  playing: 2,
  played: 3,
  failed: 4,
  cancelled: 5,
} as const;
export type OutcomeCode = (typeof Outcome)[keyof typeof Outcome];

export const OUTCOME_LABEL_ZH: Record<OutcomeCode, string> = {
  0: '未处理',
  1: '等待播放',
  2: '正在播放',
  3: '已播放',
  4: '失败',
  5: '已取消',
};

/** Terminal status codes. */
export const TerminalStatus = {
  normal: 1,
  off: 2,
  fault: 3,
  recovered: 4,
  broadcasting: 5,
} as const;
export type TerminalStatusCode = (typeof TerminalStatus)[keyof typeof TerminalStatus];

/** Why a terminal refused a command: reported back so the centre sees forgery and replay attempts. */
export const REJECT_REASONS = [
  'malformed',
  'unknown-key',
  'bad-signature',
  'expired',
  'not-yet-valid',
  'issued-in-future',
  'replay',
  'wrong-audience',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** Why an outcome ended as failed or cancelled. */
export const FAILURE_REASONS = [
  'preempted',
  'expired',
  'download-failed',
  'checksum-mismatch',
  'player-failed',
  'agent-restarted',
  'stopped',
  'cache-full',
  /** A scheduled entry that could not start by its latest start (terminal was off, or something outranked it). */
  'missed',
  /** A newer target no longer holds the entry. */
  'superseded',
  /** Non-emergency audio refused inside quiet hours. */
  'quiet-hours',
  /** A drill on a terminal not chosen for drills. */
  'drill-not-enabled',
  /** The alert was cancelled while it sounded or waited. */
  'alert-cancelled',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];
