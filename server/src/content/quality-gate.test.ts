import { describe, expect, it } from 'vitest';
import { checkQuality, formatDurationMs, type QualityInput } from './quality-gate.ts';

const SHA = 'b'.repeat(64);
const media = (durationMs: number) => ({ sha256: SHA, durationMs, bytes: 48_000, mime: 'audio/mpeg' });
const input = (over: Partial<QualityInput> = {}): QualityInput => ({
  title: '秋收防火通知',
  script: '各位村民请注意……',
  revision: 3,
  mediaSha256: SHA,
  media: media(42_000),
  now: 1234,
  ...over,
});

describe('the quality gate', () => {
  it('passes a good item and reports what it checked', () => {
    expect(checkQuality(input())).toEqual({
      ok: true,
      report: {
        revision: 3,
        mediaSha256: SHA,
        durationMs: 42_000,
        bytes: 48_000,
        mime: 'audio/mpeg',
        checkedAt: 1234,
      },
    });
  });

  it('lists every problem at once', () => {
    const r = checkQuality(
      input({ title: ' 火 ', mediaSha256: null, media: null, script: '字'.repeat(20_001) }),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([
      '标题至少 2 个字（当前 1 个字）',
      '没有音频：须上传或选择一段音频',
      '文稿 20001 字，超过 20000 字',
    ]);
  });

  it('bounds the duration to 1 s .. 30 min, inclusive', () => {
    expect(checkQuality(input({ media: media(1000) })).ok).toBe(true);
    expect(checkQuality(input({ media: media(30 * 60_000) })).ok).toBe(true);
    const short = checkQuality(input({ media: media(500) }));
    expect(!short.ok && short.problems).toEqual(['音频时长 0.5 秒，短于 1 秒']);
    const long = checkQuality(input({ media: media(30 * 60_000 + 1000) }));
    expect(!long.ok && long.problems).toEqual(['音频时长 30 分 01 秒，超过 30 分钟']);
  });

  it('refuses a reference to audio that is not in the library', () => {
    const r = checkQuality(input({ media: null }));
    expect(!r.ok && r.problems[0]).toContain('不存在');
  });

  it('counts characters, not UTF-16 units, and accepts no script', () => {
    expect(checkQuality(input({ script: '𠀀'.repeat(20_000) })).ok).toBe(true);
    expect(checkQuality(input({ script: null })).ok).toBe(true);
    expect(checkQuality(input({ title: '𠀀𠀀' })).ok).toBe(true);
  });

  it('formats durations for people', () => {
    expect(formatDurationMs(900)).toBe('0.9 秒');
    expect(formatDurationMs(65_000)).toBe('1 分 05 秒');
  });
});
