import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { AppError, notFound } from '../errors.ts';
import { etagMatches, parseRange, quoteEtag } from './http-range.ts';

export { parseRange } from './http-range.ts';

export interface SendMediaOptions {
  mime: string;
  etag: string;
  /** Stored files are content-addressed, so by default a client may keep them forever. */
  cacheControl?: string;
}

async function openFile(file: string): Promise<FileHandle> {
  try {
    return await open(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw notFound('media_file_missing', '音频文件不存在');
    throw e;
  }
}

/**
 * Sends a stored file for GET and HEAD with `Accept-Ranges`, ETag/`If-None-Match` (304), `If-Range`, and one
 * byte range (206, or 416 when it lies past the end), so terminals can resume interrupted downloads.
 * The file is opened before anything is sent: a file deleted meanwhile is a clean 404, never a broken 200.
 */
export async function sendMediaFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  opts: SendMediaOptions,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    throw new AppError(405, 'method_not_allowed', '不支持的请求方法');
  }
  const fh = await openFile(file);
  let streaming = false;
  try {
    const { size } = await fh.stat();
    const etag = quoteEtag(opts.etag);
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', opts.cacheControl ?? 'private, max-age=31536000, immutable');
    if (etagMatches(req.headers['if-none-match'], etag)) {
      res.statusCode = 304;
      res.end();
      return;
    }
    // If-Range: resume only if the client's partial copy is of this very file; otherwise send it whole.
    const ifRange = req.headers['if-range'];
    const rangeHeader = ifRange && String(ifRange).trim() !== etag ? undefined : req.headers.range;
    const range = parseRange(rangeHeader, size);
    if (range === 'unsatisfiable') {
      res.statusCode = 416;
      res.setHeader('Content-Range', `bytes */${size}`);
      res.end();
      return;
    }
    const { start, end } = range === 'whole' ? { start: 0, end: size - 1 } : range;
    res.statusCode = range === 'whole' ? 200 : 206;
    res.setHeader('Content-Type', opts.mime);
    res.setHeader('Content-Length', String(Math.max(0, end - start + 1)));
    if (range !== 'whole') res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
    if (req.method === 'HEAD' || size === 0) {
      res.end();
      return;
    }
    streaming = true;
    // The stream owns the handle from here and closes it, also when the client goes away mid-transfer.
    await pipeline(fh.createReadStream({ start, end }), res).catch(() => {
      if (!res.destroyed) res.destroy();
    });
  } finally {
    if (!streaming) await fh.close();
  }
}
