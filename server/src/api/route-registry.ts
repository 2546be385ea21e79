import type { Request, Response, Router } from 'express';
import express from 'express';
import { z } from 'zod';
import type { AuditActor, AuditLog } from '../audit/audit-log.ts';
import type { Actor } from '../auth/actor.ts';
import { type Permission, ROLE_PERMISSIONS, ROLES } from '../auth/roles.ts';
import { AppError, badRequest, forbidden, unauthorized } from '../errors.ts';

/**
 * Who may call a route. Every route states it; the registry refuses a route without one.
 * 'session' is any logged-in person (their own account); a permission is checked here, and its scope
 * (which township) by the service the handler calls.
 */
export type RouteAuth = 'public' | 'terminal' | 'session' | { permission: Permission };

export interface RouteContext<B, Q, P> {
  req: Request;
  res: Response;
  /** The logged-in person (null on public and terminal routes). */
  actor: Actor | null;
  terminalId: string | null;
  body: B;
  query: Q;
  params: P;
}

/** How a successful call is written to the audit trail (`'handler'`: the handler appends itself). */
export type AuditRule<B, Q, P> =
  | 'handler'
  | {
      action: string;
      target?: (ctx: RouteContext<B, Q, P>, out: unknown) => string | null | undefined;
      detail?: (ctx: RouteContext<B, Q, P>, out: unknown) => Record<string, unknown>;
    };

export interface RouteDef<B = unknown, Q = unknown, P = unknown> {
  method: 'get' | 'post' | 'put' | 'delete';
  /** Express path, e.g. /api/terminals/:id */
  path: string;
  summary: string;
  auth: RouteAuth;
  /** Required on every route that changes something. */
  audit?: AuditRule<B, Q, P>;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  /** The handler reads the request body itself (uploads, CSV). */
  rawBody?: { contentTypes: string[] };
  status?: number;
  /** Returns the JSON to send, or undefined when it wrote the response itself. */
  handler: (ctx: RouteContext<B, Q, P>) => unknown | Promise<unknown>;
}

// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of routes with their own type parameters
export type AnyRoute = RouteDef<any, any, any>;

export function defineRoute<B = undefined, Q = undefined, P = undefined>(
  def: RouteDef<B, Q, P>,
): RouteDef<B, Q, P> {
  return def;
}

export interface Authenticator {
  /** The person a request carries a session for (null if none); throws on a failed CSRF check. */
  actorFromRequest(req: Request): Actor | null;
  terminalFromRequest(req: Request): string | null;
}

/** The client's address as the audit trail records it. */
export function clientIp(req: Request): string | null {
  return req.socket.remoteAddress ?? null;
}

export function auditActorOf(actor: Actor | null, terminalId: string | null): AuditActor {
  if (actor) return { kind: 'user', id: actor.id, name: actor.name };
  if (terminalId) return { kind: 'terminal', id: terminalId };
  return { kind: 'anonymous' };
}

/** Roles that hold a permission, for the OpenAPI document. */
function rolesWith(p: Permission): string[] {
  return ROLES.filter((r) => ROLE_PERMISSIONS[r].includes(p));
}

function zodMessage(e: z.ZodError): string {
  return e.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(请求)'}: ${i.message}`)
    .join('; ');
}

function parsePart<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const r = schema.safeParse(value);
  if (!r.success)
    throw badRequest('invalid_request', `${where}参数无效: ${zodMessage(r.error)}`, r.error.issues);
  return r.data;
}

/** Mounts routes with their auth check, input validation and audit, in one place. */
export function mountRoutes(
  router: Router,
  routes: readonly AnyRoute[],
  auth: Authenticator,
  opts: { maxJsonBytes: number; audit: AuditLog },
): void {
  const json = express.json({ limit: opts.maxJsonBytes });
  for (const route of routes) {
    if (!route.auth) throw new Error(`route ${route.method} ${route.path} has no auth rule`);
    if (route.method !== 'get' && !route.audit)
      throw new Error(`route ${route.method} ${route.path} changes something but has no audit rule`);
    const handlers: express.RequestHandler[] = [];
    if (route.body) handlers.push(json);
    handlers.push(async (req, res, next) => {
      let actor: Actor | null = null;
      let terminalId: string | null = null;
      try {
        if (route.auth === 'terminal') {
          terminalId = auth.terminalFromRequest(req);
          if (!terminalId) throw unauthorized('终端认证失败');
        } else if (route.auth !== 'public') {
          actor = auth.actorFromRequest(req);
          if (!actor) throw unauthorized();
          if (route.auth !== 'session') {
            if (actor.user.mustChangePassword)
              throw new AppError(403, 'password_change_required', '请先修改初始密码');
            if (!actor.has(route.auth.permission)) throw forbidden();
          }
        }
        // A request without a body is validated as absent below; a body of another type is refused here.
        const empty = req.headers['content-length'] === '0' || req.is('application/json') === null;
        if (route.body && !empty && !req.is('application/json')) {
          throw new AppError(415, 'unsupported_media', '请求体须为 JSON (Content-Type: application/json)');
        }
        if (route.rawBody && !route.rawBody.contentTypes.some((t) => req.is(t))) {
          throw new AppError(
            415,
            'unsupported_media',
            `请求体类型须为 ${route.rawBody.contentTypes.join(' 或 ')}`,
          );
        }
        const ctx: RouteContext<unknown, unknown, unknown> = {
          req,
          res,
          actor,
          terminalId,
          body: parsePart(route.body, req.body, '请求体'),
          query: parsePart(route.query, req.query, '查询'),
          params: parsePart(route.params, req.params, '路径'),
        };
        const out = await route.handler(ctx);
        const rule = route.audit;
        if (rule && rule !== 'handler') {
          opts.audit.append({
            actor: auditActorOf(actor, terminalId),
            action: rule.action,
            target: rule.target?.(ctx, out) ?? null,
            detail: rule.detail?.(ctx, out) ?? (ctx.params as Record<string, unknown> | undefined) ?? {},
            ip: clientIp(req),
          });
        }
        if (out !== undefined && !res.headersSent) res.status(route.status ?? 200).json(out);
      } catch (e) {
        // Refusals of a logged-in person are security events: someone tried what they may not do.
        if (e instanceof AppError && e.status === 403 && actor) {
          const rule = route.audit;
          opts.audit.append({
            actor: auditActorOf(actor, terminalId),
            action: rule && rule !== 'handler' ? rule.action : `${route.method} ${route.path}`,
            outcome: 'denied',
            target: req.path,
            detail: { code: e.code, message: e.message },
            ip: clientIp(req),
          });
        }
        next(e);
      }
    });
    router[route.method](route.path, ...handlers);
  }
}

/** OpenAPI 3.1 document generated from the same route definitions that serve requests. */
export function openApiDocument(
  routes: readonly AnyRoute[],
  info: { title: string; version: string },
): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const p = r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const params = [...r.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const op: Record<string, unknown> = {
      summary: r.summary,
      security:
        r.auth === 'public'
          ? []
          : r.auth === 'terminal'
            ? [{ terminalToken: [] }]
            : [{ bearer: [] }, { session: [] }],
      'x-permission': typeof r.auth === 'object' ? r.auth.permission : r.auth,
      'x-roles': typeof r.auth === 'object' ? rolesWith(r.auth.permission) : r.auth,
      parameters: params,
      responses: {
        [String(r.status ?? 200)]: { description: 'OK' },
        '4XX': { description: '{ error: { code, message } }' },
      },
    };
    if (r.body) {
      op.requestBody = {
        required: true,
        content: {
          'application/json': { schema: z.toJSONSchema(r.body, { io: 'input', unrepresentable: 'any' }) },
        },
      };
    } else if (r.rawBody) {
      op.requestBody = {
        required: true,
        content: Object.fromEntries(r.rawBody.contentTypes.map((t) => [t, {}])),
      };
    }
    if (r.query) {
      const js = z.toJSONSchema(r.query, { io: 'input', unrepresentable: 'any' }) as {
        properties?: Record<string, unknown>;
      };
      for (const [name, schema] of Object.entries(js.properties ?? {})) {
        (op.parameters as unknown[]).push({ name, in: 'query', required: false, schema });
      }
    }
    paths[p] ??= {};
    paths[p][r.method] = op;
  }
  return {
    openapi: '3.1.0',
    info,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'POST /api/auth/login 返回的 token' },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'dlb_session',
          description: '浏览器会话 Cookie；修改类请求须带 X-CSRF-Token 头（登录时返回）',
        },
        terminalToken: {
          type: 'http',
          scheme: 'bearer',
          description: '<终端编号>:<媒体令牌>，见终端配置文件',
        },
      },
    },
    paths,
  };
}
