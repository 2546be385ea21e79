import { AppError, unprocessable } from '../errors.ts';
import type { FfmpegTools } from './ffmpeg-path.ts';
import { runTool } from './run-tool.ts';

export interface AudioProbe {
  durationMs: number;
  codec: string;
  sampleRate: number;
  channels: number;
  formatName: string;
}

interface FfprobeJson {
  streams?: Array<{ codec_type?: string; codec_name?: string; sample_rate?: string; channels?: number; duration?: string }>;
  format?: { format_name?: string; duration?: string };
}

/** What ffprobe says about a file; refuses anything without a decodable audio stream. */
export async function probeAudio(file: string, tools: FfmpegTools): Promise<AudioProbe> {
  const r = await runTool(tools.ffprobe, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file], 30_000);
  let info: FfprobeJson = {};
  try {
    info = JSON.parse(r.stdout || '{}') as FfprobeJson;
  } catch {
    info = {};
  }
  const audio = info.streams?.find((s) => s.codec_type === 'audio');
  if (r.code !== 0 || !audio) throw new AppError(415, 'not_audio', '不是可解码的音频文件');
  const seconds = Number(audio.duration ?? info.format?.duration ?? 0);
  if (!Number.isFinite(seconds) || seconds <= 0) throw unprocessable('empty_audio', '音频为空或时长为0');
  return {
    durationMs: Math.round(seconds * 1000),
    codec: audio.codec_name ?? 'unknown',
    sampleRate: Number(audio.sample_rate ?? 0),
    channels: audio.channels ?? 0,
    formatName: info.format?.format_name ?? 'unknown',
  };
}
