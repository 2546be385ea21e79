/**
 * The quality gate (质量关), checked when an item is submitted for review. Pure: it is given the item
 * and its audio record and lists every problem at once, so the author can fix them in one go.
 */

export const QUALITY_LIMITS = {
  minTitleChars: 2,
  minDurationMs: 1000,
  maxDurationMs: 30 * 60_000,
  maxScriptChars: 20_000,
} as const;

/** What a passing check recorded (stored in content_items.quality). */
export interface QualityReport {
  revision: number;
  mediaSha256: string;
  durationMs: number;
  bytes: number;
  mime: string;
  checkedAt: number;
}

export type QualityResult = { ok: true; report: QualityReport } | { ok: false; problems: string[] };

export interface QualityInput {
  title: string;
  script: string | null;
  revision: number;
  mediaSha256: string | null;
  /** The audio's record, null when there is none (or the reference is dangling). */
  media: { sha256: string; durationMs: number; bytes: number; mime: string } | null;
  now: number;
}

const chars = (s: string) => [...s].length;

/** "1 分 05 秒" or "0.5 秒". */
export function formatDurationMs(ms: number): string {
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))} 秒`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} 分 ${String(s % 60).padStart(2, '0')} 秒`;
}

export function checkQuality(input: QualityInput): QualityResult {
  const L = QUALITY_LIMITS;
  const problems: string[] = [];
  const title = chars(input.title.trim());
  if (title < L.minTitleChars) problems.push(`标题至少 ${L.minTitleChars} 个字（当前 ${title} 个字）`);
  const media = input.media;
  if (!input.mediaSha256) {
    problems.push('没有音频：须上传或选择一段音频');
  } else if (!media || media.sha256 !== input.mediaSha256) {
    problems.push(`音频 ${input.mediaSha256.slice(0, 12)}… 不存在`);
  } else {
    if (media.durationMs < L.minDurationMs)
      problems.push(`音频时长 ${formatDurationMs(media.durationMs)}，短于 ${L.minDurationMs / 1000} 秒`);
    if (media.durationMs > L.maxDurationMs)
      problems.push(`音频时长 ${formatDurationMs(media.durationMs)}，超过 ${L.maxDurationMs / 60_000} 分钟`);
  }
  const script = input.script === null ? 0 : chars(input.script);
  if (script > L.maxScriptChars) problems.push(`文稿 ${script} 字，超过 ${L.maxScriptChars} 字`);
  if (problems.length > 0 || !media) return { ok: false, problems };
  return {
    ok: true,
    report: {
      revision: input.revision,
      mediaSha256: media.sha256,
      durationMs: media.durationMs,
      bytes: media.bytes,
      mime: media.mime,
      checkedAt: input.now,
    },
  };
}
