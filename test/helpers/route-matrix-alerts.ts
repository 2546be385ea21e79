import type { MatrixWorld, StaffKey, Where } from './matrix-world.ts';
import { ALL, type Req, type RouteCase } from './route-matrix-types.ts';

/** The emergency office: real alerts and drills, within its scope (a township officer: its township). */
const EMERGENCY: readonly StaffKey[] = ['emergency_county', 'emergency_township'];

/** Who may create, change and delete terminal groups (within their scope). */
const GROUP_MANAGERS: readonly StaffKey[] = ['county_admin', ...EMERGENCY];

const get = (path: string): Req => ({ method: 'GET', path });
const post = (path: string, body: unknown = {}): Req => ({ method: 'POST', path, body });
const put = (path: string, body: unknown): Req => ({ method: 'PUT', path, body });

function alertBody(w: MatrixWorld, where: Where) {
  return {
    level: 'blue',
    eventCode: '11B03',
    issuer: '灵川县应急管理局',
    area: { codes: [w.township[where]] },
    expiresAt: w.now() + 3600_000,
    title: '矩阵测试预警',
    text: '这是权限矩阵测试用的预警正文。',
    mediaSha256: w.media[where],
    repeat: 1,
    intervalSec: 0,
  };
}

export const ALERT_ROUTE_MATRIX: Record<string, RouteCase> = {
  'post /api/alerts': {
    who: EMERGENCY,
    scoped: true,
    make: (w, where) => post('/api/alerts', alertBody(w, where)),
  },
  'post /api/drills': {
    who: EMERGENCY,
    scoped: true,
    // No terminal is chosen for drills in the fixture: past the checks, a drill finds no terminal (422).
    make: (w, where) => post('/api/drills', alertBody(w, where)),
    passed: [422],
  },
  'get /api/alerts': {
    who: ALL,
    scoped: true,
    make: (w, where) => ({ ...get('/api/alerts?limit=200'), find: w.alert(where) }),
    list: true,
  },
  'get /api/alerts/:id': {
    who: ALL,
    scoped: true,
    make: (w, where) => get(`/api/alerts/${w.alert(where)}`),
  },
  'put /api/alerts/:id': {
    who: EMERGENCY,
    scoped: true,
    make: (w, where) => put(`/api/alerts/${w.alert(where)}`, alertBody(w, where)),
  },
  'post /api/alerts/:id/confirm': {
    who: EMERGENCY,
    scoped: true,
    make: (w, where) => post(`/api/alerts/${w.alert(where, 'pending')}/confirm`),
  },
  'post /api/alerts/:id/cancel': {
    who: EMERGENCY,
    scoped: true,
    make: (w, where) => post(`/api/alerts/${w.alert(where)}/cancel`, { reason: '矩阵测试' }),
  },
  'get /api/alerts/:id/cap': {
    who: ALL,
    scoped: true,
    make: (w, where) => get(`/api/alerts/${w.alert(where)}/cap`),
  },
  // Only a registered source's own credential may post CAP: no staff session is enough.
  'post /api/cap': {
    who: [],
    scoped: false,
    make: () => ({
      method: 'POST',
      path: '/api/cap',
      raw: { body: '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>', contentType: 'application/xml' },
    }),
  },
  'get /api/cap-sources': { who: ['county_admin'], scoped: false, make: () => get('/api/cap-sources') },
  'post /api/cap-sources': {
    who: ['county_admin'],
    scoped: false,
    make: (w) => post('/api/cap-sources', { name: '县气象局', allowedCodes: [w.countyCode] }),
  },
  'post /api/cap-sources/:id/disable': {
    who: ['county_admin'],
    scoped: false,
    make: (w) => post(`/api/cap-sources/${w.capSource()}/disable`),
  },
  // Terminal groups: read with terminal.read, managed by the county admin and the emergency office.
  'get /api/terminal-groups': {
    who: ALL,
    scoped: true,
    make: (w, where) => ({ ...get('/api/terminal-groups'), find: w.group(where) }),
    list: true,
  },
  'get /api/terminal-groups/:id': {
    who: ALL,
    scoped: true,
    make: (w, where) => get(`/api/terminal-groups/${w.group(where)}`),
  },
  'post /api/terminal-groups': {
    who: GROUP_MANAGERS,
    scoped: true,
    make: (w, where) =>
      post('/api/terminal-groups', {
        name: `矩阵新分组${Math.random().toString(36).slice(2, 8)}`,
        scopeCode: w.township[where],
        terminalIds: [w.terminal[where]],
      }),
  },
  'put /api/terminal-groups/:id': {
    who: GROUP_MANAGERS,
    scoped: true,
    make: (w, where) =>
      put(`/api/terminal-groups/${w.group(where)}`, {
        name: `矩阵改名${Math.random().toString(36).slice(2, 8)}`,
        scopeCode: w.township[where],
        terminalIds: [w.terminal[where]],
      }),
  },
  'delete /api/terminal-groups/:id': {
    who: GROUP_MANAGERS,
    scoped: true,
    make: (w, where) => ({ method: 'DELETE', path: `/api/terminal-groups/${w.group(where)}` }),
  },
  'put /api/terminals/:id/drill': {
    who: ['county_admin'],
    scoped: true,
    make: (w, where) => put(`/api/terminals/${w.newTerminal(where)}/drill`, { enabled: true }),
  },
  'put /api/terminals/:id/location': {
    who: ['county_admin'],
    scoped: true,
    make: (w, where) => put(`/api/terminals/${w.newTerminal(where)}/location`, { lat: 25.41, lon: 110.32 }),
  },
};
