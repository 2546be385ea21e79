import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { alertToCap, CAP_DEFAULT_MAX_BYTES } from '../../emergency/cap/index.ts';
import { CapSourceInputSchema } from '../../emergency/cap-sources.ts';
import { AppError, isAppError, payloadTooLarge } from '../../errors.ts';
import { type AnyRoute, clientIp, defineRoute } from '../route-registry.ts';
import type { Services } from '../services.ts';

const SourceParams = z.object({ id: z.string().regex(/^capsrc[0-9a-f]{10}$/, '信息源编号格式不正确') });
const AlertIdParams = z.object({ id: z.string().regex(/^a[a-z0-9]{8,40}$/, '预警编号格式不正确') });

const CAP_TYPES = ['application/xml', 'text/xml', 'application/cap+xml'];

async function readCap(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > CAP_DEFAULT_MAX_BYTES)
      throw payloadTooLarge(`CAP 消息超过 ${CAP_DEFAULT_MAX_BYTES / 1024} KB`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Department feeds (CAP 1.2 in), their registration, and CAP 1.2 out. */
export function capRoutes(s: Services): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/cap',
      summary:
        '接收部门系统的 CAP 1.2 预警（Authorization: Bearer <信息源编号>:<密钥>）；按信息源的区域和策略立即播出或等待值守员确认',
      // The source's own credential is checked in the handler (it is not a staff session).
      auth: 'public',
      audit: 'handler',
      // The content type is checked in the handler, after the source's credential, so that refusal is audited too.
      status: 201,
      handler: async ({ req }) => {
        const ip = clientIp(req);
        const source = s.capSources.authenticate(req.headers.authorization);
        if (!source) {
          s.audit.append({ actor: { kind: 'anonymous' }, action: 'cap.receive', outcome: 'denied', ip });
          throw new AppError(
            401,
            'cap_source_unauthorized',
            '预警信息源身份无效：请使用登记时发放的信息源编号和密钥',
          );
        }
        const actor = { kind: 'source', id: source.id, name: source.name } as const;
        try {
          if (!req.is(CAP_TYPES))
            throw new AppError(415, 'unsupported_media', `CAP 消息的类型须为 ${CAP_TYPES.join(' 或 ')}`);
          const receipt = await s.capFeed.receive(source, await readCap(req));
          s.audit.append({
            actor,
            action: 'cap.receive',
            outcome: 'ok',
            target: `alert:${receipt.alerts[0]!.id}`,
            detail: { kind: receipt.kind, held: receipt.held, alerts: receipt.alerts.map((a) => a.id) },
            ip,
          });
          return receipt;
        } catch (e) {
          const detail = isAppError(e) ? { code: e.code, message: e.message } : { code: 'internal' };
          s.audit.append({ actor, action: 'cap.receive', outcome: 'failed', detail, ip });
          throw e;
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/cap-sources',
      summary: '已登记的预警信息源（部门系统）',
      auth: { permission: 'cap.manage' },
      handler: () => ({ sources: s.capSources.list() }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/cap-sources',
      summary: '登记预警信息源：允许的区域、按严重程度的处理策略；返回只显示一次的凭据',
      auth: { permission: 'cap.manage' },
      audit: {
        action: 'cap.source-create',
        target: (_c, out) => `cap-source:${(out as { source: { id: string } }).source.id}`,
        detail: ({ body }) => ({
          name: body.name,
          allowedCodes: body.allowedCodes,
          policy: body.policy ?? null,
        }),
      },
      status: 201,
      body: CapSourceInputSchema,
      handler: ({ body, actor }) => s.capSources.create(body, actor!.id),
    }),
    defineRoute({
      method: 'post',
      path: '/api/cap-sources/:id/disable',
      summary: '停用预警信息源：其凭据立即失效',
      auth: { permission: 'cap.manage' },
      audit: { action: 'cap.source-disable', target: ({ params }) => `cap-source:${params.id}` },
      params: SourceParams,
      handler: ({ params }) => ({ source: s.capSources.setDisabled(params.id, true) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/alerts/:id/cap',
      summary: '以 CAP 1.2 XML 导出预警',
      auth: { permission: 'alert.read' },
      params: AlertIdParams,
      handler: ({ params, actor, res }) => {
        const a = s.alerts.readable(params.id, actor!);
        const name = (code: string) => s.areas.get(code)?.name ?? code;
        const county = s.areas.list().find((x) => x.level === 'county');
        const xml = alertToCap({
          id: `${a.id}.${a.revision}`,
          sender: `dlb@${county?.code ?? 'county'}`,
          sentAt: a.updatedAt,
          status: a.drill ? 'Exercise' : 'Actual',
          msgType: a.state === 'cancelled' ? 'Cancel' : a.revision > 1 ? 'Update' : 'Alert',
          references:
            a.revision > 1 || a.state === 'cancelled'
              ? [{ sender: `dlb@${county?.code ?? 'county'}`, identifier: `${a.id}.1`, sent: a.createdAt }]
              : [],
          level: a.level,
          eventCode: a.eventCode,
          ...(a.eventName ? { eventName: a.eventName } : {}),
          issuer: a.issuer,
          language: a.language,
          title: a.title,
          text: a.text,
          startsAt: a.startsAt,
          expiresAt: a.expiresAt,
          areaDescs: [
            ...a.area.codes.map(name),
            ...(a.area.terminalIds.length > 0 ? [`${a.area.terminalIds.length} 个终端`] : []),
          ],
          areaCodes: a.area.codes,
        });
        res.status(200).type('application/cap+xml; charset=utf-8').send(xml);
        return undefined;
      },
    }),
  ];
}
