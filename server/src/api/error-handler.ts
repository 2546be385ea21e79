import type { ErrorRequestHandler } from 'express';
import { isAppError } from '../errors.ts';

/** The one place errors become HTTP responses. Internal errors are logged and hidden. */
export function errorHandler(log: (msg: string) => void): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (isAppError(err)) {
      res.status(err.status).json({ error: { code: err.code, message: err.message, details: err.details } });
      return;
    }
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.parse.failed') {
      res.status(400).json({ error: { code: 'malformed_json', message: '请求体不是合法的 JSON' } });
      return;
    }
    if (e.type === 'entity.too.large') {
      res.status(413).json({ error: { code: 'payload_too_large', message: '请求体过大' } });
      return;
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      res.status(e.status).json({ error: { code: 'bad_request', message: '请求无效' } });
      return;
    }
    log(`内部错误: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    res.status(500).json({ error: { code: 'internal', message: '服务器内部错误，请稍后重试或联系管理员' } });
  };
}
