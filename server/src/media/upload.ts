import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import busboy from 'busboy';
import { badRequest, payloadTooLarge, unprocessable, unsupportedMedia } from '../errors.ts';
import { formatMegabytes } from './media-errors.ts';

export interface ReceivedUpload {
  tempPath: string;
  originalName: string;
  bytes: number;
  fields: Record<string, string>;
}

export interface UploadOptions {
  maxBytes: number;
  tmpDir: string;
  fieldName?: 'file';
  /** Other (text) fields: how many, and how long each may be. */
  maxFields?: number;
  maxFieldBytes?: number;
}

/** Room for the multipart framing and the small text fields around the file. */
const FORM_OVERHEAD_BYTES = 256 * 1024;

/** Busboy strips directories; also drop control characters and keep it short enough for a database row. */
export function cleanFileName(name: string | undefined): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
  const clean = (name ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return clean.slice(0, 200) || 'audio';
}

/**
 * Streams the one file of a multipart/form-data request to a temp file in `tmpDir` (never holding it in memory)
 * and collects the text fields. The caller owns the temp file once this resolves. On any failure the temp file
 * is removed before the promise rejects, and the rest of the request body is read and discarded so that the
 * error response can still reach the client.
 */
export async function receiveUpload(req: IncomingMessage, opts: UploadOptions): Promise<ReceivedUpload> {
  const fieldName = opts.fieldName ?? 'file';
  const tooLarge = () => payloadTooLarge(`文件超过上限 ${formatMegabytes(opts.maxBytes)} MB`);
  let bb: busboy.Busboy;
  try {
    bb = busboy({
      headers: req.headers,
      // Browsers send UTF-8 file names unencoded; busboy would read them as latin1 and garble Chinese names.
      defParamCharset: 'utf8',
      limits: {
        files: 1,
        // busboy signals 'limit' on reaching fileSize, not on passing it: one more byte lets an exact fit through.
        fileSize: opts.maxBytes + 1,
        fields: opts.maxFields ?? 20,
        fieldSize: opts.maxFieldBytes ?? 8 * 1024,
        fieldNameSize: 100,
        parts: (opts.maxFields ?? 20) + 1,
      },
    });
  } catch {
    req.resume();
    throw unsupportedMedia('请以 multipart/form-data 方式上传文件');
  }
  // An honest client announces a hopeless size up front: refuse before writing anything.
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > opts.maxBytes + FORM_OVERHEAD_BYTES) {
    req.resume();
    throw tooLarge();
  }
  await mkdir(opts.tmpDir, { recursive: true });
  const tempPath = path.join(opts.tmpDir, `upload-${Date.now()}-${randomBytes(8).toString('hex')}.part`);

  return new Promise<ReceivedUpload>((resolve, reject) => {
    const fields: Record<string, string> = {};
    let files = 0;
    let originalName = 'audio';
    let namedFile = false;
    let bytes = 0;
    let out: WriteStream | null = null;
    let written: Promise<void> | null = null;
    let settled = false;

    // Rejects with `e` (an AppError, or an internal error such as a full disk) once the temp file is gone.
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      // Detach rather than destroy the parser: destroying it mid-part makes busboy emit a late error.
      req.unpipe(bb);
      req.resume();
      const stream = out;
      const closed =
        stream && !stream.closed
          ? new Promise<void>((r) => stream.once('close', () => r()).destroy())
          : Promise.resolve();
      closed
        .then(() => rm(tempPath, { force: true }))
        .then(
          () => reject(e),
          () => reject(e),
        );
    };

    bb.on('file', (name, stream, info) => {
      files += 1;
      stream.on('error', () => fail(badRequest('bad_multipart', '上传数据格式错误或不完整')));
      if (settled) {
        stream.resume();
        return;
      }
      if (name !== fieldName) {
        stream.resume();
        fail(badRequest('unexpected_file_field', `文件须放在表单字段 ${fieldName} 中上传`));
        return;
      }
      originalName = cleanFileName(info.filename);
      namedFile = Boolean(info.filename);
      const file = createWriteStream(tempPath, { flags: 'wx' });
      out = file;
      written = new Promise<void>((res, rej) => {
        file.once('finish', res);
        file.once('error', rej);
      });
      file.once('error', (e) => fail(e));
      // After a failure the write stream is destroyed on purpose; that rejection is expected, not unhandled.
      written.catch(() => {});
      stream.on('data', (d: Buffer) => {
        bytes += d.length;
      });
      stream.once('limit', () => fail(tooLarge()));
      stream.pipe(file);
    });
    bb.on('field', (name, value, info) => {
      if (info.nameTruncated || info.valueTruncated) {
        fail(badRequest('field_too_large', '表单字段内容过长'));
        return;
      }
      if (name !== '__proto__') fields[name] = value;
    });
    bb.once('filesLimit', () => fail(badRequest('too_many_files', '一次只能上传一个文件')));
    bb.once('fieldsLimit', () => fail(badRequest('too_many_fields', '表单字段过多')));
    bb.once('partsLimit', () => fail(badRequest('too_many_fields', '表单字段过多')));
    bb.on('error', () => fail(badRequest('bad_multipart', '上传数据格式错误或不完整')));
    bb.once('close', () => {
      if (settled) return;
      if (files === 0 || !written) {
        fail(badRequest('no_file', '请选择要上传的音频文件'));
        return;
      }
      written.then(
        () => {
          // A form sent with no file chosen has an empty, unnamed file part.
          if (bytes === 0) {
            fail(
              namedFile
                ? unprocessable('empty_file', '上传的文件是空的')
                : badRequest('no_file', '请选择要上传的音频文件'),
            );
            return;
          }
          settled = true;
          resolve({ tempPath, originalName, bytes, fields });
        },
        (e: Error) => fail(e),
      );
    });
    // A client that goes away mid-body: 'close' before the request completed.
    const aborted = () => {
      if (!req.complete) fail(badRequest('upload_aborted', '上传中断，请重试'));
    };
    req.once('close', aborted);
    req.on('error', aborted);
    req.pipe(bb);
  });
}
