import { open, stat } from 'node:fs/promises';
import { unprocessable } from '../errors.ts';

const truncated = (detail: string) => unprocessable('truncated_audio', `音频文件不完整（${detail}），请重新导出或重新上传`);

/**
 * A WAV file states its own length in the RIFF header; a cut-off upload has fewer bytes than it claims,
 * yet still decodes cleanly, so it must be caught here.
 */
export async function checkRiffComplete(file: string): Promise<void> {
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(12);
    const { bytesRead } = await fh.read(head, 0, 12, 0);
    if (bytesRead < 12 || head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') return;
    const claimed = head.readUInt32LE(4) + 8;
    const { size } = await stat(file);
    // 0xFFFFFFFF and 0 are used by streaming writers that do not know the length yet.
    if (claimed !== 0xffffffff + 8 && claimed > 8 && size < claimed) {
      throw truncated(`文件声明 ${claimed} 字节，实际只有 ${size} 字节`);
    }
  } finally {
    await fh.close();
  }
}

/**
 * Compressed formats (e.g. MP3 with a Xing/VBRI header) declare a duration; if far less than that decodes,
 * the file was cut off.
 */
export function checkDecodedDuration(declaredMs: number, decodedMs: number): void {
  const tolerance = Math.max(500, declaredMs * 0.05);
  if (declaredMs - decodedMs > tolerance) {
    throw truncated(`声明时长 ${(declaredMs / 1000).toFixed(1)} 秒，只能解码 ${(decodedMs / 1000).toFixed(1)} 秒`);
  }
}
