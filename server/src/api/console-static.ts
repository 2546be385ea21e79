import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';

/** Where `npm run build:console` (vite build) puts the web console. */
export const CONSOLE_DIST = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../console-ui/dist',
);

/** Paths that belong to the API, the terminals and the realtime socket: never answered with the console. */
const NOT_CONSOLE = /^\/(api|t|socket\.io|healthz)(\/|$)/;

const CSP = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const NOT_BUILT = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>大喇叭控制台尚未构建</title>
<style>body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:640px;margin:60px auto;padding:0 20px;color:#1f2933;line-height:1.7}
code{background:#f1f3f5;padding:2px 6px;border-radius:4px}</style></head>
<body><h1>大喇叭控制台尚未构建</h1>
<p>控制中心正在运行，接口可用（<a href="/api/openapi.json">/api/openapi.json</a>），但网页控制台的文件
（<code>console-ui/dist</code>）还不存在。</p>
<p>请在项目目录运行 <code>npm run build:console</code> 后刷新本页；<code>npm start</code> 启动时也会自动构建。</p>
</body></html>
`;

function htmlHeaders(res: express.Response): void {
  res.set({
    'Cache-Control': 'no-cache',
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'same-origin',
  });
}

/**
 * Serves the built console at `/`: hashed assets cached for a year, index.html never cached, and every other
 * console path (the console's own routes, e.g. /terminals/…) answered with index.html. When the console has not
 * been built, a Chinese page says how to build it. Mounted after the API, so it never shadows a route.
 */
export function consoleStatic(dir: string = CONSOLE_DIST): Router {
  const router = express.Router();
  const index = path.join(dir, 'index.html');
  router.use(
    '/assets',
    express.static(path.join(dir, 'assets'), {
      immutable: true,
      maxAge: '365d',
      index: false,
      fallthrough: false,
      setHeaders: (res) => res.setHeader('X-Content-Type-Options', 'nosniff'),
    }),
  );
  router.use(
    express.static(dir, {
      index: false,
      setHeaders: (res) => {
        res.setHeader('Cache-Control', 'no-cache');
        res.setHeader('X-Content-Type-Options', 'nosniff');
      },
    }),
  );
  router.use((req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || NOT_CONSOLE.test(req.path)) return next();
    htmlHeaders(res);
    if (!existsSync(index)) {
      res.status(503).type('html').send(NOT_BUILT);
      return;
    }
    res.sendFile(index, { headers: { 'Cache-Control': 'no-cache' } }, (err) => err && next(err));
  });
  return router;
}
