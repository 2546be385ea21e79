import { availableParallelism } from 'node:os';
import { Sha256Hex } from '@dlb/protocol';
import { z } from 'zod';
import type { Actor } from '../../auth/actor.ts';
import { notFound } from '../../errors.ts';
import { ingestAudio } from '../../media/ingest.ts';
import { sendMediaFile } from '../../media/serve-range.ts';
import { receiveUpload } from '../../media/upload.ts';
import { Limiter } from '../../util/limiter.ts';
import { type AnyRoute, defineRoute } from '../route-registry.ts';
import type { Services } from '../services.ts';

const ShaParams = z.object({ sha256: Sha256Hex });

/**
 * Audio is stored once by hash and shared, but a township user sees only what they uploaded and what
 * content they may read uses; county-wide readers see everything.
 */
function mediaVisible(s: Services, actor: Actor, m: { sha256: string }): boolean {
  if (actor.hasCountyWide('media.read')) return true;
  if (s.mediaRecords.uploadedBy(m.sha256, actor.id)) return true;
  const scopes = s.db
    .prepare('SELECT DISTINCT scope_code FROM content_items WHERE media_sha256 = ?')
    .all(m.sha256) as Array<{ scope_code: string }>;
  return scopes.some((r) => actor.canAtOrAbove('content.read', r.scope_code));
}

function visibleMedia(s: Services, actor: Actor, sha256: string) {
  const m = s.mediaRecords.get(sha256);
  if (!m || !mediaVisible(s, actor, m)) throw notFound('unknown_media', `音频 ${sha256} 不存在`);
  return m;
}

export function mediaRoutes(s: Services): AnyRoute[] {
  // Renders use a core each; more at once would only slow every operator down together.
  const renders = new Limiter(Math.max(1, availableParallelism() - 1));
  return [
    defineRoute({
      method: 'post',
      path: '/api/media',
      summary: '上传音频（multipart 字段 file）：校验、响度归一化、转为终端格式并按 sha256 存储',
      auth: { permission: 'media.upload' },
      audit: {
        action: 'media.upload',
        target: (_ctx, out) => `media:${(out as { media: { sha256: string } }).media.sha256}`,
      },
      rawBody: { contentTypes: ['multipart/form-data'] },
      status: 201,
      handler: async ({ req, actor }) => {
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
          actor!.id,
        );
        return { media };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/media',
      summary: '音频列表',
      auth: { permission: 'media.read' },
      handler: ({ actor }) => ({ media: s.mediaRecords.list().filter((m) => mediaVisible(s, actor!, m)) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/media/:sha256',
      summary: '音频信息',
      auth: { permission: 'media.read' },
      params: ShaParams,
      handler: ({ params, actor }) => ({ media: visibleMedia(s, actor!, params.sha256) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/media/:sha256/audio',
      summary: '试听/下载处理后的音频（支持 Range）',
      auth: { permission: 'media.read' },
      params: ShaParams,
      handler: async ({ req, res, params, actor }) => {
        const m = visibleMedia(s, actor!, params.sha256);
        await sendMediaFile(req, res, s.mediaStore.pathOf(m.sha256), { mime: m.mime, etag: m.sha256 });
        return undefined;
      },
    }),
  ];
}
