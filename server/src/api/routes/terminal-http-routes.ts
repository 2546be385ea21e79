import { Sha256Hex } from '@dlb/protocol';
import { z } from 'zod';
import { sendMediaFile } from '../../media/serve-range.ts';
import { type AnyRoute, defineRoute } from '../route-registry.ts';
import type { Services } from '../services.ts';

/** What terminals fetch over HTTP, authenticated by `Authorization: Bearer <terminalId>:<mediaToken>`. */
export function terminalHttpRoutes(s: Services): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/t/time',
      summary: '终端对时：返回服务器时间 (epoch ms)',
      auth: 'terminal',
      handler: () => ({ serverTime: s.now() }),
    }),
    defineRoute({
      method: 'get',
      path: '/t/media/:sha256',
      summary: '终端下载音频（支持 Range 断点续传）',
      auth: 'terminal',
      params: z.object({ sha256: Sha256Hex }),
      handler: async ({ req, res, params }) => {
        const m = s.mediaRecords.require(params.sha256);
        await sendMediaFile(req, res, s.mediaStore.pathOf(m.sha256), { mime: m.mime, etag: m.sha256 });
        return undefined;
      },
    }),
  ];
}
