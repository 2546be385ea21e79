import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import busboy from 'busboy';
import { AppError, badRequest, payloadTooLarge, unprocessable } from '../errors.ts';

export interface ReceivedUpload {
  tempPath: string;
  originalName: string;
  bytes: number;
  fields: Record<string, string>;
}

/**
 * Streams one multipart file (field `file`) to a temp file, never holding it in memory.
 * Too large, aborted, empty or missing: the temp file is removed and a clear error returned.
 */
export async function receiveUpload(req: IncomingMessage, opts: { maxBytes: number; tmpDir: string }): Promise<ReceivedUpload> {
  await mkdir(opts.tmpDir, { recursive: true });
  const tempPath = path.join(opts.tmpDir, `upload-${Date.now()}-${randomBytes(6).toString('hex')}`);
  let bb: busboy.Busboy;
  try {
    bb = busboy({ headers: req.headers, limits: { fileSize: opts.maxBytes, files: 2, fields: 20, fieldSize: 4096, parts: 30 } });
  } catch {
    throw new AppError(415, 'unsupported_media', '请用 multipart/form-data 上传文件');
  }
  const mb = Math.round(opts.maxBytes / 1024 / 1024);
  return new Promise<ReceivedUpload>((resolve, reject) => {
    const fields: Record<string, string> = {};
    let fileSeen = 0;
    let originalName = '';
    let bytes = 0;
    let failed: Error | null = null;
    let out: WriteStream | null = null;
    let writeDone: Promise<void> = Promise.resolve();
    const fail = (e: Error) => {
      if (failed) return;
      failed = e;
      req.unpipe(bb);
      req.resume();
      const stream = out;
      const closed =
        stream && !stream.closed
          ? new Promise<void>((r) => {
              stream.once('close', () => r());
              stream.destroy();
            })
          : Promise.resolve();
      closed.then(() => rm(tempPath, { force: true })).then(
        () => reject(e),
        () => reject(e),
      );
    };
    bb.on('file', (name, stream, info) => {
      fileSeen += 1;
      if (name !== 'file' || fileSeen > 1) {
        stream.resume();
        fail(badRequest('bad_upload', fileSeen > 1 ? '一次只能上传一个文件' : '文件字段名须为 file'));
        return;
      }
      originalName = info.filename || 'audio';
      const file = createWriteStream(tempPath);
      out = file;
      writeDone = new Promise((res, rej) => {
        file.on('finish', () => res());
        file.on('error', rej);
      });
      // After a failure the file stream is destroyed on purpose; that rejection is expected, not unhandled.
      writeDone.catch(() => {});
      stream.on('data', (d: Buffer) => {
        bytes += d.length;
      });
      stream.on('limit', () => fail(payloadTooLarge(`文件超过上限 ${mb} MB`)));
      stream.pipe(file);
    });
    bb.on('field', (name, value) => {
      fields[name] = value;
    });
    bb.on('error', () => fail(badRequest('bad_upload', '上传数据格式错误或不完整')));
    bb.on('partsLimit', () => fail(badRequest('bad_upload', '表单字段过多')));
    bb.on('filesLimit', () => fail(badRequest('bad_upload', '一次只能上传一个文件')));
    bb.on('fieldsLimit', () => fail(badRequest('bad_upload', '表单字段过多')));
    bb.on('close', () => {
      if (failed) return;
      writeDone.then(
        () => {
          if (fileSeen === 0) return fail(badRequest('no_file', '请选择要上传的音频文件'));
          if (bytes === 0) return fail(unprocessable('empty_file', '上传的文件是空的'));
          resolve({ tempPath, originalName, bytes, fields });
        },
        (e) => fail(e as Error),
      );
    });
    req.on('aborted', () => fail(badRequest('upload_aborted', '上传中断')));
    req.on('error', () => fail(badRequest('upload_aborted', '上传中断')));
    req.pipe(bb);
  });
}
