import path from 'node:path';
import { z } from 'zod';
import { readAuditHead } from '../../audit/audit-head.ts';
import {
  AUDIT_ACTOR_KINDS,
  AUDIT_OUTCOMES,
  AUDIT_PAGE_DEFAULT,
  AUDIT_PAGE_MAX,
  auditActions,
  queryAudit,
} from '../../audit/audit-query.ts';
import { type AuditHead, verifyAuditChain } from '../../audit/audit-verify.ts';
import { type AnyRoute, defineRoute } from '../route-registry.ts';
import type { Services } from '../services.ts';

/** An empty query parameter (a cleared filter box in the console) means no filter. */
const blankIsAbsent = (v: unknown) => (v === '' ? undefined : v);

const whole = (what: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(
    blankIsAbsent,
    z.coerce
      .number({ error: `${what}须为整数` })
      .int({ error: `${what}须为整数` })
      .min(min, `${what}不能小于 ${min}`)
      .max(max, `${what}不能大于 ${max}`)
      .optional(),
  );

const text = (what: string) =>
  z.preprocess(
    blankIsAbsent,
    z
      .string({ error: `${what}须为一个字符串` })
      .max(200, `${what}不能超过 200 个字符`)
      .optional(),
  );

export const AuditQuerySchema = z
  .object({
    from: whole('开始时间 from（毫秒时间戳）', 0).describe('不早于此时刻（毫秒时间戳，含）'),
    to: whole('结束时间 to（毫秒时间戳）', 0).describe('不晚于此时刻（毫秒时间戳，含）'),
    actor: text('操作人 actor').describe('操作人的用户名，或编号（用户编号、终端编号）'),
    actorKind: z.preprocess(
      blankIsAbsent,
      z
        .enum(AUDIT_ACTOR_KINDS, { error: `操作人类型 actorKind 须为 ${AUDIT_ACTOR_KINDS.join('、')} 之一` })
        .optional(),
    ),
    action: text('操作 action').describe('操作，如 auth.login；以“.”结尾时为前缀，如 auth.'),
    outcome: z.preprocess(
      blankIsAbsent,
      z.enum(AUDIT_OUTCOMES, { error: `结果 outcome 须为 ${AUDIT_OUTCOMES.join('、')} 之一` }).optional(),
    ),
    target: text('对象 target').describe('对象，如 terminal:645…；以“*”结尾时为前缀，如 terminal:*'),
    before: whole('翻页位置 before', 1).describe('翻页：上一页返回的 nextBefore'),
    limit: whole('每页条数 limit', 1, AUDIT_PAGE_MAX).describe(`每页条数，默认 ${AUDIT_PAGE_DEFAULT}`),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
    message: '开始时间 from 不能晚于结束时间 to',
    path: ['from'],
  });

export function auditRoutes(s: Services): AnyRoute[] {
  const headFile = path.join(s.config.dataDir, 'audit-head.json');
  return [
    defineRoute({
      method: 'get',
      path: '/api/audit',
      summary: `审计记录，新的在前；可按时间、操作人、操作（以“.”结尾为前缀）、结果、对象（以“*”结尾为前缀）筛选；每页默认 ${AUDIT_PAGE_DEFAULT} 条，用 nextBefore 翻页`,
      auth: { permission: 'audit.read' },
      query: AuditQuerySchema,
      handler: ({ query }) => queryAudit(s.db, query),
    }),
    defineRoute({
      method: 'get',
      path: '/api/audit/actions',
      summary: '审计记录中出现过的操作及条数（筛选用）',
      auth: { permission: 'audit.read' },
      handler: () => ({ actions: auditActions(s.db) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/audit/verify',
      summary: '校验审计记录的哈希链和记录头：是否完好，或第一条被篡改的记录及原因',
      auth: { permission: 'audit.read' },
      handler: () => {
        let head: AuditHead | null = null;
        let headProblem: string | null = null;
        try {
          head = readAuditHead(headFile);
          if (!head) headProblem = '没有记录头文件，无法发现末尾记录被删除';
        } catch (e) {
          headProblem = `${(e as Error).message}，无法发现末尾记录被删除`;
        }
        const started = performance.now();
        const result = verifyAuditChain(s.db, { head });
        return { ...result, head, headProblem, ms: Math.round(performance.now() - started) };
      },
    }),
  ];
}
