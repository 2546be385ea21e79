import { open } from 'node:fs/promises';
import { truncatedAudio } from './media-errors.ts';

/**
 * Bytes a WAV may fall short of its RIFF header before we call it cut off. Some writers get the size off by
 * the 8-byte chunk header or a pad byte; a cut-off upload misses far more.
 */
const RIFF_SLACK_BYTES = 4096;

/**
 * A WAV file states its own length in the RIFF header; a cut-off upload has fewer bytes than it claims,
 * yet still decodes cleanly (when the cut falls on a sample boundary), so it must be caught here.
 */
export async function checkRiffComplete(file: string): Promise<void> {
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(12);
    const { bytesRead } = await fh.read(head, 0, 12, 0);
    if (bytesRead < 12 || head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE')
      return;
    const declared = head.readUInt32LE(4);
    // 0 and 0xFFFFFFFF are written by streaming recorders that did not know the length yet.
    if (declared === 0 || declared === 0xffffffff) return;
    const claimed = declared + 8;
    const { size } = await fh.stat();
    if (claimed - size > RIFF_SLACK_BYTES) {
      throw truncatedAudio(`文件声明 ${claimed} 字节，实际只有 ${size} 字节`);
    }
  } finally {
    await fh.close();
  }
}

/**
 * Compressed formats (e.g. MP3 with a Xing/Info header) declare a duration; if far less than that decodes,
 * the file was cut off. Only meaningful for a duration the file states, not one ffprobe estimated.
 */
export function checkDecodedDuration(declaredMs: number, decodedMs: number): void {
  const tolerance = Math.max(500, declaredMs * 0.05);
  if (declaredMs - decodedMs > tolerance) {
    throw truncatedAudio(
      `声明时长 ${(declaredMs / 1000).toFixed(1)} 秒，只能解码 ${(decodedMs / 1000).toFixed(1)} 秒`,
    );
  }
}
