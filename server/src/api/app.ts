import { TERMINAL_ID } from '@dlb/protocol';
import express, { type Express, type Request } from 'express';
import { errorHandler } from './error-handler.ts';
import {
  type AnyRoute,
  type Authenticator,
  defineRoute,
  mountRoutes,
  openApiDocument,
} from './route-registry.ts';
import { areaRoutes } from './routes/area-routes.ts';
import { authRoutes } from './routes/auth-routes.ts';
import { broadcastRoutes } from './routes/broadcast-routes.ts';
import { mediaRoutes } from './routes/media-routes.ts';
import { programmeRoutes } from './routes/programme-routes.ts';
import { scheduleRoutes } from './routes/schedule-routes.ts';
import { systemRoutes } from './routes/system-routes.ts';
import { terminalHttpRoutes } from './routes/terminal-http-routes.ts';
import { terminalRoutes } from './routes/terminal-routes.ts';
import type { Services } from './services.ts';

export function allRoutes(s: Services): AnyRoute[] {
  const routes: AnyRoute[] = [
    ...systemRoutes(s),
    ...authRoutes(s),
    ...areaRoutes(s),
    ...terminalRoutes(s),
    ...mediaRoutes(s),
    ...broadcastRoutes(s),
    ...programmeRoutes(s),
    ...scheduleRoutes(s),
    ...terminalHttpRoutes(s),
  ];
  let doc: unknown;
  routes.push(
    defineRoute({
      method: 'get',
      path: '/api/openapi.json',
      summary: 'OpenAPI 文档',
      auth: 'public',
      handler: () => doc,
    }),
  );
  doc = openApiDocument(routes, { title: '大喇叭 县级应急广播控制中心 API', version: '0.1.0' });
  return routes;
}

function bearer(req: Request): string | null {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : null;
}

export function createApp(s: Services): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  const auth: Authenticator = {
    userFromRequest: (req) => {
      const token = bearer(req);
      return token ? s.users.userForToken(token) : null;
    },
    terminalFromRequest: (req) => {
      const token = bearer(req);
      const sep = token?.indexOf(':') ?? -1;
      if (!token || sep < 0) return null;
      const tid = token.slice(0, sep);
      return TERMINAL_ID.test(tid) && s.terminals.checkMediaToken(tid, token.slice(sep + 1)) ? tid : null;
    },
  };
  const router = express.Router();
  mountRoutes(router, allRoutes(s), auth, s.config.http.maxJsonBytes);
  app.use(router);
  app.use('/api', (_req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: '没有这个接口' } });
  });
  app.use(errorHandler(s.log));
  return app;
}
