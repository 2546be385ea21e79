import { ALERT_LEVEL_PRIORITY, type AlertBody, type AlertLevel, type MediaRef } from '@dlb/protocol';

export interface AlertSpec {
  alertId: string;
  level?: AlertLevel;
  revision?: number;
  drill?: boolean;
  attention: MediaRef;
  media: MediaRef;
  drillNotice?: MediaRef;
  /** Default 2. */
  repeat?: number;
  /** Default 30 s. */
  intervalMs?: number;
  /** Default 100. */
  volume?: number;
  startsAt: number;
  /** Default startsAt + 1 h. */
  expiresAt?: number;
  tid: string;
}

/** An alert body as the centre would send it to one terminal. */
export function alertBody(s: AlertSpec): AlertBody {
  const level = s.level ?? 'orange';
  return {
    alertId: s.alertId,
    revision: s.revision ?? 1,
    level,
    drill: s.drill ?? false,
    priority: ALERT_LEVEL_PRIORITY[level],
    title: `预警 ${s.alertId}`,
    attention: s.attention,
    ...(s.drillNotice ? { drillNotice: s.drillNotice } : {}),
    media: s.media,
    volume: s.volume ?? 100,
    repeat: s.repeat ?? 2,
    intervalMs: s.intervalMs ?? 30_000,
    startsAt: s.startsAt,
    expiresAt: s.expiresAt ?? s.startsAt + 3600_000,
    audience: { kind: 'terminal', tid: s.tid },
  };
}
