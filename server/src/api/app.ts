import express, { type Express } from 'express';
import { createAuthenticator } from '../auth/http-session.ts';
import { consoleStatic } from './console-static.ts';
import { errorHandler } from './error-handler.ts';
import { type AnyRoute, defineRoute, mountRoutes, openApiDocument } from './route-registry.ts';
import { alertRoutes } from './routes/alert-routes.ts';
import { areaRoutes } from './routes/area-routes.ts';
import { auditRoutes } from './routes/audit-routes.ts';
import { authRoutes } from './routes/auth-routes.ts';
import { broadcastRoutes } from './routes/broadcast-routes.ts';
import { capRoutes } from './routes/cap-routes.ts';
import { contentRoutes } from './routes/content-routes.ts';
import { groupRoutes } from './routes/group-routes.ts';
import { mediaRoutes } from './routes/media-routes.ts';
import { programmeRoutes } from './routes/programme-routes.ts';
import { scheduleRoutes } from './routes/schedule-routes.ts';
import { speechRoutes } from './routes/speech-routes.ts';
import { systemRoutes } from './routes/system-routes.ts';
import { terminalHttpRoutes } from './routes/terminal-http-routes.ts';
import { terminalRoutes } from './routes/terminal-routes.ts';
import { userRoutes } from './routes/user-routes.ts';
import type { Services } from './services.ts';

export function allRoutes(s: Services): AnyRoute[] {
  const routes: AnyRoute[] = [
    ...systemRoutes(s),
    ...authRoutes(s),
    ...userRoutes(s),
    ...auditRoutes(s),
    ...areaRoutes(s),
    ...terminalRoutes(s),
    ...groupRoutes(s),
    ...mediaRoutes(s),
    ...speechRoutes(s),
    ...contentRoutes(s),
    ...broadcastRoutes(s),
    ...alertRoutes(s),
    ...capRoutes(s),
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

export function createApp(s: Services): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  const auth = createAuthenticator(s);
  const router = express.Router();
  mountRoutes(router, allRoutes(s), auth, { maxJsonBytes: s.config.http.maxJsonBytes, audit: s.audit });
  app.use(router);
  app.use('/api', (_req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: '没有这个接口' } });
  });
  // The web console (console-ui/dist) at /, after every API route so it never shadows one.
  app.use(consoleStatic());
  app.use(errorHandler(s.log));
  return app;
}
