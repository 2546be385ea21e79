import { AreaCodeSchema, Sha256Hex } from '@dlb/protocol';
import { z } from 'zod';
import { CONTENT_CURSOR, CONTENT_ID } from '../../content/content-service.ts';
import { CONTENT_STATES, REASON_MAX_CHARS, REASON_MIN_CHARS } from '../../content/review-rules.ts';
import { type AnyRoute, defineRoute } from '../route-registry.ts';
import type { Services } from '../services.ts';

const IdParams = z.object({ id: z.string().regex(CONTENT_ID, '内容条目编号格式应为 c + 16 位十六进制') });
const RevisionQuery = z.object({
  /** The revision the person saw; refused (409) when the item changed since. */
  revision: z.coerce.number().int().min(1).max(1_000_000).optional(),
});
const target = (ctx: { params: { id: string } }) => `content:${ctx.params.id}`;
const createdTarget = (_ctx: unknown, out: unknown) => `content:${(out as { item: { id: string } }).item.id}`;

/** Drafts may hold more text than the quality gate lets through (20 000), so work can go on before submitting. */
const Title = z.string().trim().min(1, '标题不能为空').max(200, '标题最多 200 字');
const Category = z.string().trim().min(1).max(40, '分类最多 40 字').nullable();
const Script = z.string().max(50_000, '文稿最多 50000 字').nullable();
const Media = Sha256Hex.nullable();

const CreateBody = z.strictObject({
  title: Title,
  scopeCode: AreaCodeSchema,
  category: Category.optional(),
  script: Script.optional(),
  mediaSha256: Media.optional(),
});
const EditBody = z
  .strictObject({
    title: Title.optional(),
    scopeCode: AreaCodeSchema.optional(),
    category: Category.optional(),
    script: Script.optional(),
    mediaSha256: Media.optional(),
    revision: z.number().int().min(1).optional(),
  })
  .refine((b) => Object.keys(b).some((k) => k !== 'revision'), '至少修改一项');

export function contentRoutes(s: Services): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/content',
      summary: '内容条目列表（只列出您管辖范围内可见的条目），可按状态、范围、关键词筛选，按修改时间倒序翻页',
      auth: { permission: 'content.read' },
      query: z.object({
        state: z.enum(CONTENT_STATES).optional(),
        scopeCode: AreaCodeSchema.optional(),
        q: z.string().trim().max(100).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
        before: z.string().regex(CONTENT_CURSOR, '翻页参数无效').optional(),
      }),
      handler: ({ query, actor }) => s.content.list(query, actor!),
    }),
    defineRoute({
      method: 'get',
      path: '/api/content/review-queue',
      summary: '待我审核：我可审核的范围内、不是我编写或报送的待审核条目，先报送的在前',
      auth: { permission: 'content.review' },
      handler: ({ actor }) => ({ items: s.content.reviewQueue(actor!) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/content',
      summary: '新建内容条目（草稿）：范围为全县或一个乡镇',
      auth: { permission: 'content.write' },
      audit: {
        action: 'content.create',
        target: createdTarget,
        detail: ({ body }) => ({ title: body.title, scopeCode: body.scopeCode }),
      },
      status: 201,
      body: CreateBody,
      handler: ({ body, actor }) => ({ item: s.content.create(body, actor!) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/content/:id',
      summary: '内容条目详情及审核记录（谁、何时、做了什么、理由）',
      auth: { permission: 'content.read' },
      params: IdParams,
      handler: ({ params, actor }) => s.content.get(params.id, actor!),
    }),
    defineRoute({
      method: 'put',
      path: '/api/content/:id',
      summary: '修改内容条目：任何状态修改后都回到草稿，须重新报送审核；已通过的条目在重新审核通过前停播',
      auth: { permission: 'content.write' },
      audit: {
        action: 'content.edit',
        target,
        detail: ({ body }, out) => ({
          fields: Object.keys(body).filter((k) => k !== 'revision'),
          revision: (out as { item: { revision: number } }).item.revision,
        }),
      },
      params: IdParams,
      body: EditBody,
      handler: ({ params, body, actor }) => {
        const { revision, ...edit } = body;
        return { item: s.content.update(params.id, edit, actor!, revision) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/content/:id/submit',
      summary: '报送审核（须通过质量检查：标题、音频、时长、文稿长度）',
      auth: { permission: 'content.write' },
      audit: { action: 'content.submit', target, detail: revisionDetail },
      params: IdParams,
      query: RevisionQuery,
      handler: ({ params, query, actor }) => ({ item: s.content.submit(params.id, actor!, query.revision) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/content/:id/withdraw',
      summary: '撤回待审核的条目（回到草稿）',
      auth: { permission: 'content.write' },
      audit: { action: 'content.withdraw', target, detail: revisionDetail },
      params: IdParams,
      query: RevisionQuery,
      handler: ({ params, query, actor }) => ({
        item: s.content.withdraw(params.id, actor!, query.revision),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/content/:id/approve',
      summary: '审核通过（不能审核自己编写、修改或报送的条目）',
      auth: { permission: 'content.review' },
      audit: { action: 'content.approve', target, detail: revisionDetail },
      params: IdParams,
      query: RevisionQuery,
      handler: ({ params, query, actor }) => ({ item: s.content.approve(params.id, actor!, query.revision) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/content/:id/reject',
      summary: `退回（须说明理由，${REASON_MIN_CHARS} 至 ${REASON_MAX_CHARS} 字）`,
      auth: { permission: 'content.review' },
      audit: {
        action: 'content.reject',
        target,
        detail: ({ body }, out) => ({
          reason: body.reason,
          revision: (out as { item: { revision: number } }).item.revision,
        }),
      },
      params: IdParams,
      // The length rule itself is review-rules' (it counts characters, not UTF-16 units); this only bounds input.
      body: z.strictObject({ reason: z.string().max(2000), revision: z.number().int().min(1).optional() }),
      handler: ({ params, body, actor }) => ({
        item: s.content.reject(params.id, actor!, body.reason, body.revision),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/content/:id',
      summary: '删除从未播出的草稿或已退回条目',
      auth: { permission: 'content.write' },
      audit: { action: 'content.delete', target },
      params: IdParams,
      handler: ({ params, actor }) => ({ deleted: s.content.delete(params.id, actor!).id }),
    }),
  ];
}

function revisionDetail(_ctx: unknown, out: unknown): Record<string, unknown> {
  const item = (out as { item: { revision: number; state: string } }).item;
  return { revision: item.revision, state: item.state };
}
