import type { IncomingMessage } from 'node:http';
import { parseAreaCsv, parseAreaJson } from '../../areas/area-import.ts';
import { badRequest, payloadTooLarge } from '../../errors.ts';
import { type AnyRoute, defineRoute } from '../route-registry.ts';
import type { Services } from '../services.ts';

const MAX_AREA_FILE_BYTES = 4 * 1024 * 1024;

async function readText(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw payloadTooLarge(`行政区划文件超过 ${limit / 1024 / 1024} MB`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function areaRoutes(s: Services): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/areas',
      summary: '行政区划（县、乡镇、村）列表',
      auth: { permission: 'area.read' },
      // A township user sees its own subtree and the county above it, not other townships.
      handler: ({ actor }) => ({
        areas: s.areas.list().filter((a) => actor!.canAtOrAbove('area.read', a.code)),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/areas/import',
      summary:
        '导入行政区划：JSON（{county,townships[{villages}]} 或 {areas:[{code,name}]}）或 CSV（code,name）',
      auth: { permission: 'area.import' },
      audit: { action: 'config.area-import', detail: (_ctx, out) => ({ ...(out as object) }) },
      rawBody: { contentTypes: ['application/json', 'text/csv', 'text/plain'] },
      handler: async ({ req }) => {
        const text = await readText(req, MAX_AREA_FILE_BYTES);
        let rows: Array<{ code: string; name: string }>;
        if (req.is('application/json')) {
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            throw badRequest('malformed_json', '行政区划文件不是合法的 JSON');
          }
          rows = parseAreaJson(json);
        } else {
          rows = parseAreaCsv(text);
        }
        return s.areas.import(rows);
      },
    }),
  ];
}
