/**
 * Demuxers an uploaded file may be opened with. Uploads are untrusted: without a whitelist a "sound file"
 * that is really an HLS playlist or a concat script makes ffmpeg fetch URLs or read other local files.
 * These cover what county staff realistically have: WAV/AIFF from recorders, MP3, M4A/AAC and AMR from
 * phones, OGG/Opus and WebM from browsers, FLAC, WMA.
 */
export const UPLOAD_DEMUXERS = [
  'wav',
  'w64',
  'aiff',
  'mp3',
  'aac',
  'mov',
  'amr',
  'ogg',
  'matroska',
  'flac',
  'asf',
] as const;

/**
 * ffmpeg/ffprobe arguments that open `file` as local, whitelisted input. The `file:` prefix stops a path
 * with a colon in it from being read as a protocol; only the file protocol is allowed at all.
 */
export function inputArgs(file: string): string[] {
  return [
    '-protocol_whitelist',
    'file',
    '-format_whitelist',
    UPLOAD_DEMUXERS.join(','),
    '-i',
    `file:${file}`,
  ];
}
