import { type AnyRoute, defineRoute } from '../route-registry.ts';
import type { Services } from '../services.ts';

export function systemRoutes(s: Services): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/healthz',
      summary: '健康检查',
      auth: 'public',
      handler: ({ res }) => {
        let db = true;
        try {
          s.db.prepare('SELECT 1').get();
        } catch {
          db = false;
        }
        res.status(db ? 200 : 503);
        return {
          status: db ? 'ok' : 'degraded',
          db,
          mqtt: s.config.mqtt.mode,
          uptimeSec: Math.round((s.now() - s.startedAt) / 1000),
        };
      },
    }),
  ];
}
