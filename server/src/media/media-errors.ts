import { AppError, unprocessable } from '../errors.ts';

/**
 * The refusals of the media pipeline, in one place so every module says the same thing the same way.
 * Messages are for county staff; `details` carries a short machine reason, never a path or an ffmpeg dump.
 */

export const notAudio = (reason: string) =>
  new AppError(415, 'not_audio', '不是可解码的音频文件', { reason });

export const emptyAudio = () => unprocessable('empty_audio', '音频为空或时长为0');

export const silentAudio = () => unprocessable('silent_audio', '音频没有声音（全部是静音），请检查录音');

export const corruptAudio = (reason: string) =>
  unprocessable('corrupt_audio', '音频文件已损坏或不完整', { reason: reason.slice(0, 200) });

export const truncatedAudio = (detail: string) =>
  unprocessable('truncated_audio', `音频文件不完整（${detail}），请重新导出或重新上传`);

export const tooLong = (maxDurationMs: number) =>
  unprocessable('too_long', `音频时长超过上限 ${formatMinutes(maxDurationMs)} 分钟`);

/** A tool that hangs is our problem, not the uploader's fault: ask to retry rather than blame the file. */
export const mediaTimeout = () => new AppError(503, 'media_timeout', '音频处理超时，请稍后重试');

/** "10", "1.5", "0.5": whole minutes without a pointless ".0". */
export function formatMinutes(ms: number): string {
  return String(Math.round((ms / 60_000) * 10) / 10);
}

/** "20", "0.3": MB for messages, so a sub-megabyte limit does not read as "0 MB". */
export function formatMegabytes(bytes: number): string {
  return String(Math.round((bytes / (1024 * 1024)) * 10) / 10);
}
