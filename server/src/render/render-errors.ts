import { AppError, isAppError, unprocessable } from '../errors.ts';

/**
 * Refusals of the broadcast render. Where a file is at fault the media pipeline's own errors are reused
 * (media-errors.ts) and only prefixed with which input it was, so operators know which part to fix.
 */

export const renderAborted = () => new AppError(503, 'render_aborted', '音频渲染已取消');

export const missingAudio = (label: string) =>
  unprocessable('missing_audio', `${label}：音频文件不存在或无法读取`);

export const chimeTooLong = (maxMs: number) =>
  unprocessable('chime_too_long', `提示音不能超过 ${Math.round(maxMs / 1000)} 秒`);

export const noParts = () => unprocessable('no_parts', '没有可渲染的音频');

/** "第2段", "开场提示音": how an input is named in messages. */
export function inputLabel(kind: 'part' | 'open' | 'close', index = 0): string {
  if (kind === 'open') return '开场提示音';
  if (kind === 'close') return '结束提示音';
  return `第${index + 1}段音频`;
}

/** The same error, its message prefixed with the input it is about and its details naming it. */
export function aboutInput(e: unknown, label: string): unknown {
  if (!isAppError(e) || e.message.startsWith(label)) return e;
  const details = typeof e.details === 'object' && e.details !== null ? e.details : {};
  return new AppError(e.status, e.code, `${label}：${e.message}`, { ...details, input: label });
}
