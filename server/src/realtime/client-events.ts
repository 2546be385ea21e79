import { TerminalIdSchema } from '@dlb/protocol';
import { z } from 'zod';
import { terminalInScope } from '../api/scope.ts';
import type { Services } from '../api/services.ts';
import { queryAudit } from '../audit/audit-query.ts';
import type { Actor } from '../auth/actor.ts';
import type { Permission } from '../auth/roles.ts';
import { isAppError } from '../errors.ts';

/** What every client event is answered with, through its ack callback. */
export type Ack =
  | ({ ok: true } & Record<string, unknown>)
  | { ok: false; error: { code: string; message: string } };

/** One console→server event: the permission it needs at all, its payload, and what it does. */
export interface ClientEvent<S extends z.ZodType = z.ZodType> {
  name: string;
  summary: string;
  /** Checked (with a fresh session) before the payload is even parsed; handlers check the scope. */
  permission: Permission;
  schema: S;
  handler(
    actor: Actor,
    payload: z.output<S>,
    services: Services,
  ): Record<string, unknown> | Promise<Record<string, unknown>>;
}

const define = <S extends z.ZodType>(e: ClientEvent<S>): ClientEvent => e as unknown as ClientEvent;

export const AUDIT_TAIL_MAX = 100;
const AUDIT_TAIL_DEFAULT = 50;

const notAnObject = { error: '消息内容须为一个对象' };

/**
 * Every event a console may send. Out-of-scope ids are answered exactly like unknown ones (the same
 * checks as the HTTP routes), so a township user learns nothing about other townships by guessing.
 */
export const CLIENT_EVENTS: readonly ClientEvent[] = [
  define({
    name: 'broadcast:watch',
    summary: '一次播发的概况和各终端结果（之后的变化以 broadcast:outcome 推送）',
    permission: 'broadcast.read',
    schema: z.object(
      {
        id: z
          .string({ error: '播发编号 id 须为字符串' })
          .regex(/^b[a-z0-9]{8,40}$/, '播发编号 id 格式不正确'),
      },
      notAnObject,
    ),
    handler: (actor, { id }, s) => ({
      broadcast: s.broadcasts.visible(id, actor),
      outcomes: s.broadcasts.outcomesFor(id, actor),
    }),
  }),
  define({
    name: 'terminal:get',
    summary: '终端详情',
    permission: 'terminal.read',
    schema: z.object({ id: TerminalIdSchema }, notAnObject),
    handler: (actor, { id }, s) => ({ terminal: terminalInScope(s, actor, id, 'terminal.read') }),
  }),
  define({
    name: 'audit:tail',
    summary: `最近的审计记录（最新在前，最多 ${AUDIT_TAIL_MAX} 条）`,
    permission: 'audit.read',
    schema: z
      .object(
        {
          limit: z
            .number({ error: '条数 limit 须为整数' })
            .int('条数 limit 须为整数')
            .min(1, '条数 limit 不能小于 1')
            .max(AUDIT_TAIL_MAX, `条数 limit 不能大于 ${AUDIT_TAIL_MAX}`)
            .default(AUDIT_TAIL_DEFAULT),
        },
        notAnObject,
      )
      .prefault({}),
    handler: (_actor, { limit }, s) => ({ entries: queryAudit(s.db, { limit }).entries }),
  }),
];

const BY_NAME = new Map(CLIENT_EVENTS.map((e) => [e.name, e]));

export const clientEvent = (name: string): ClientEvent | undefined => BY_NAME.get(name);

export const failure = (code: string, message: string): Ack => ({ ok: false, error: { code, message } });

/**
 * Runs one client event for an actor whose session was just re-checked: unknown name, missing
 * permission, malformed payload and handler errors all become a Chinese answer; an internal error is
 * logged and its text never reaches the console.
 */
export async function runClientEvent(
  actor: Actor,
  name: string,
  payload: unknown,
  services: Services,
  log: (m: string) => void,
): Promise<Ack> {
  const event = clientEvent(name);
  if (!event) return failure('unknown_event', `未知的消息类型：${name.slice(0, 64)}`);
  if (!actor.has(event.permission)) return failure('forbidden', '没有权限执行此操作');
  const parsed = event.schema.safeParse(payload);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return failure('invalid_payload', `消息内容无效：${first?.message ?? '格式不正确'}`);
  }
  try {
    return { ok: true, ...(await event.handler(actor, parsed.data, services)) };
  } catch (e) {
    if (isAppError(e)) return failure(e.code, e.message);
    log(`实时消息 ${name} 内部错误: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return failure('internal', '服务器内部错误，请稍后重试或联系管理员');
  }
}
