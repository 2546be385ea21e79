import { ALERT_LEVEL_LABEL_ZH } from '@dlb/protocol';
import type { AlertRecord, AlertTargetRow } from './alert-store.ts';

export type AlertStatus = 'pending' | 'active' | 'expired' | 'cancelled' | 'rejected';

export const ALERT_STATUS_ZH: Record<AlertStatus, string> = {
  pending: '待确认',
  active: '生效中',
  expired: '已过期',
  cancelled: '已取消',
  rejected: '已驳回',
};

export function statusOf(a: AlertRecord, now: number): AlertStatus {
  if (a.state === 'active' && a.expiresAt <= now) return 'expired';
  return a.state;
}

export function alertView(a: AlertRecord, now: number) {
  const status = statusOf(a, now);
  return {
    ...a,
    status,
    statusLabel: ALERT_STATUS_ZH[status],
    levelLabel: `${a.drill ? '演练 · ' : ''}${ALERT_LEVEL_LABEL_ZH[a.level]}`,
  };
}

/** Why a terminal is not sounding: what the officer needs to act on. */
export type NotSoundingWhy = 'offline' | 'fault' | 'failed' | 'cancelled' | 'waiting' | 'no-report';

export const NOT_SOUNDING_ZH: Record<NotSoundingWhy, string> = {
  offline: '离线',
  fault: '故障',
  failed: '播放失败',
  cancelled: '已中止',
  waiting: '已收到，等待播放',
  'no-report': '尚无回传',
};

export interface AlertCoverage {
  revision: number;
  total: number;
  /** Outcome 2 of the current revision: attention tone or message sounding now. */
  sounding: number;
  /** Outcome 3 of the current revision. */
  finished: number;
  notSounding: Array<{
    terminalId: string;
    name: string;
    villageCode: string;
    why: NotSoundingWhy;
    label: string;
    reason: string | null;
  }>;
  counts: Record<NotSoundingWhy, number>;
}

/** How far an alert's current revision has reached, terminal by terminal (pure). */
export function coverageOf(revision: number, rows: readonly AlertTargetRow[]): AlertCoverage {
  const counts: Record<NotSoundingWhy, number> = {
    offline: 0,
    fault: 0,
    failed: 0,
    cancelled: 0,
    waiting: 0,
    'no-report': 0,
  };
  const cov: AlertCoverage = {
    revision,
    total: rows.length,
    sounding: 0,
    finished: 0,
    notSounding: [],
    counts,
  };
  for (const r of rows) {
    const current = r.revision === revision;
    if (current && r.outcome === 2) {
      cov.sounding += 1;
      continue;
    }
    if (current && r.outcome === 3) {
      cov.finished += 1;
      continue;
    }
    const why: NotSoundingWhy =
      current && r.outcome === 4
        ? 'failed'
        : current && r.outcome === 5
          ? 'cancelled'
          : !r.online
            ? 'offline'
            : r.status === 3
              ? 'fault'
              : current && r.outcome === 1
                ? 'waiting'
                : 'no-report';
    counts[why] += 1;
    cov.notSounding.push({
      terminalId: r.terminalId,
      name: r.name,
      villageCode: r.villageCode,
      why,
      label: NOT_SOUNDING_ZH[why],
      reason: current ? r.reason : null,
    });
  }
  return cov;
}
