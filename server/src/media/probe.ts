import type { FfmpegTools } from './ffmpeg-path.ts';
import { inputArgs } from './input-args.ts';
import { emptyAudio, mediaTimeout, notAudio } from './media-errors.ts';
import { runTool } from './run-tool.ts';

export interface AudioProbe {
  /** 0 only when allowed by `allowUnknownDuration` and the container does not state a length. */
  durationMs: number;
  /**
   * 'header': stated by the file. 'estimated': guessed by ffprobe from file size and bitrate (VBR MP3 without
   * a Xing header, ADTS AAC, streamed WAV) and may be off by a factor of 3; never refuse a file on it.
   * 'unknown': not stated at all (WebM recorded live in a browser).
   */
  durationSource: 'header' | 'estimated' | 'unknown';
  codec: string;
  sampleRate: number;
  channels: number;
  formatName: string;
}

export interface ProbeOptions {
  /** Accept a file whose container gives no duration (the caller measures it by decoding). Default false. */
  allowUnknownDuration?: boolean;
  timeoutMs?: number;
}

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  sample_rate?: string;
  channels?: number;
  duration?: string;
}

interface FfprobeJson {
  streams?: FfprobeStream[];
  format?: { format_name?: string; duration?: string };
}

// libavformat's wording since 2012; when it is absent the duration came from the file itself.
const ESTIMATED = 'Estimating duration from bitrate';

function seconds(v: string | undefined): number {
  const n = Number(v);
  return v !== undefined && Number.isFinite(n) && n > 0 ? n : 0;
}

/**
 * What ffprobe says about the first audio stream of a file. Refuses (415 not_audio) anything ffprobe cannot
 * open or that has no audio stream, and (422 empty_audio) a stream of no length.
 */
export async function probeAudio(
  file: string,
  tools: FfmpegTools,
  opts: ProbeOptions = {},
): Promise<AudioProbe> {
  // `-v warning`, not `error`: the duration-estimate notice is a warning and it changes what we may trust.
  const r = await runTool(
    tools.ffprobe,
    ['-v', 'warning', '-print_format', 'json', '-show_format', '-show_streams', ...inputArgs(file)],
    { timeoutMs: opts.timeoutMs ?? 30_000 },
  );
  if (r.timedOut) throw mediaTimeout();
  if (r.code !== 0) throw notAudio('ffprobe_failed');
  let info: FfprobeJson;
  try {
    info = JSON.parse(r.stdout) as FfprobeJson;
  } catch {
    throw notAudio('ffprobe_output_unreadable');
  }
  const audio = info.streams?.find((s) => s.codec_type === 'audio');
  if (!audio) throw notAudio('no_audio_stream');
  // The stream's own length first: a video file's format duration may be that of a longer picture track.
  const secs = seconds(audio.duration) || seconds(info.format?.duration);
  const durationSource = secs === 0 ? 'unknown' : r.stderr.includes(ESTIMATED) ? 'estimated' : 'header';
  if (durationSource === 'unknown' && !opts.allowUnknownDuration) throw emptyAudio();
  return {
    durationMs: Math.round(secs * 1000),
    durationSource,
    codec: audio.codec_name ?? 'unknown',
    sampleRate: Number(audio.sample_rate ?? 0) || 0,
    channels: audio.channels ?? 0,
    formatName: info.format?.format_name ?? 'unknown',
  };
}
