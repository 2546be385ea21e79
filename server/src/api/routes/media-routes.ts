import { availableParallelism } from 'node:os';
import { Sha256Hex } from '@dlb/protocol';
import { z } from 'zod';
import { ingestAudio } from '../../media/ingest.ts';
import { sendMediaFile } from '../../media/serve-range.ts';
import { receiveUpload } from '../../media/upload.ts';
import { Limiter } from '../../util/limiter.ts';
import { type AnyRoute, defineRoute } from '../route-registry.ts';
import type { Services } from '../services.ts';

const ShaParams = z.object({ sha256: Sha256Hex });

export function mediaRoutes(s: Services): AnyRoute[] {
  // Renders use a core each; more at once would only slow every operator down together.
  const renders = new Limiter(Math.max(1, availableParallelism() - 1));
  return [
    defineRoute({
      method: 'post',
      path: '/api/media',
      summary: '上传音频（multipart 字段 file）：校验、响度归一化、转为终端格式并按 sha256 存储',
      auth: { roles: ['admin', 'operator'] },
      rawBody: { contentTypes: ['multipart/form-data'] },
      status: 201,
      handler: async ({ req, user }) => {
        const upload = await receiveUpload(req, {
          maxBytes: s.config.media.maxUploadBytes,
          tmpDir: s.mediaStore.tmpDir(),
        });
        const rendered = await renders.run(() =>
          ingestAudio(upload.tempPath, {
            tools: s.ffmpeg,
            store: s.mediaStore,
            maxDurationMs: s.config.media.maxDurationSec * 1000,
          }),
        );
        const media = s.mediaRecords.upsert(
          {
            sha256: rendered.sha256,
            bytes: rendered.bytes,
            durationMs: rendered.durationMs,
            mime: rendered.mime,
            originalName: upload.originalName.slice(0, 200),
          },
          user?.id ?? null,
        );
        return { media };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/media',
      summary: '音频列表',
      auth: { roles: ['admin', 'operator', 'viewer'] },
      handler: () => ({ media: s.mediaRecords.list() }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/media/:sha256',
      summary: '音频信息',
      auth: { roles: ['admin', 'operator', 'viewer'] },
      params: ShaParams,
      handler: ({ params }) => ({ media: s.mediaRecords.require(params.sha256) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/media/:sha256/audio',
      summary: '试听/下载处理后的音频（支持 Range）',
      auth: { roles: ['admin', 'operator', 'viewer'] },
      params: ShaParams,
      handler: async ({ req, res, params }) => {
        const m = s.mediaRecords.require(params.sha256);
        await sendMediaFile(req, res, s.mediaStore.pathOf(m.sha256), { mime: m.mime, etag: m.sha256 });
        return undefined;
      },
    }),
  ];
}
