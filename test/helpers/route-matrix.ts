import { readFileSync } from 'node:fs';
import type { StaffKey } from './matrix-world.ts';
import { ALERT_ROUTE_MATRIX } from './route-matrix-alerts.ts';
import { SPEECH_ROUTE_MATRIX } from './route-matrix-speech.ts';
import type { Req, RouteCase } from './route-matrix-types.ts';

/**
 * Who may call each API route, written from the words rather than from the code's tables, so
 * the two check each other. Every route of the server must have a row here: the matrix test fails on a
 * route without one.
 */
export type { Req, RouteCase } from './route-matrix-types.ts';

export { ALL } from './route-matrix-types.ts';

import { ALL } from './route-matrix-types.ts';

const ADMIN: readonly StaffKey[] = ['county_admin'];
export const AUDIT: readonly StaffKey[] = ['county_admin', 'auditor'];
/** content.write, broadcast.send, terminal.control, media.upload */
const SENDERS: readonly StaffKey[] = [
  'county_admin',
  'county_operator',
  'township_operator',
  'emergency_county',
  'emergency_township',
];
const PLANNERS: readonly StaffKey[] = ['county_admin', 'county_operator', 'township_operator'];
const REVIEWERS: readonly StaffKey[] = ['county_reviewer', 'township_reviewer'];

const get = (path: string): Req => ({ method: 'GET', path });
const post = (path: string, body: unknown = {}): Req => ({ method: 'POST', path, body });

export const ROUTE_MATRIX: Record<string, RouteCase> = {
  'get /healthz': { who: 'public', scoped: false, make: () => get('/healthz') },
  'get /api/openapi.json': { who: 'public', scoped: false, make: () => get('/api/openapi.json') },
  'post /api/auth/login': {
    who: 'public',
    scoped: false,
    make: () => post('/api/auth/login', { username: 'auditor', password: 'matrix-password-0001' }),
  },
  'post /api/auth/logout': {
    who: 'session',
    scoped: false,
    make: () => ({ ...post('/api/auth/logout'), freshSession: true }),
  },
  'post /api/auth/password': {
    who: 'session',
    scoped: false,
    make: () => post('/api/auth/password'),
    passed: [400],
  },
  'get /api/me': { who: 'session', scoped: false, make: () => get('/api/me') },
  'get /t/time': { who: 'terminal', scoped: false, make: () => get('/t/time') },
  'get /t/media/:sha256': { who: 'terminal', scoped: false, make: (w) => get(`/t/media/${w.media.in}`) },

  'get /api/areas': {
    who: ALL,
    scoped: true,
    make: (w, where) => ({ ...get('/api/areas'), find: `"${w.township[where]}"` }),
    list: true,
  },
  'post /api/areas/import': {
    who: ADMIN,
    scoped: false,
    make: (w) => ({
      method: 'POST',
      path: '/api/areas/import',
      raw: { body: `code,name\n${w.township.in},大圩镇\n`, contentType: 'text/csv' },
    }),
  },

  'get /api/terminals': {
    who: ALL,
    scoped: true,
    make: (w, where) => ({ ...get('/api/terminals'), find: w.terminal[where] }),
    list: true,
  },
  'post /api/terminals': {
    who: ADMIN,
    scoped: true,
    make: (w, where) => post('/api/terminals', { villageCode: w.village[where] }),
  },
  'get /api/terminals/:id': {
    who: ALL,
    scoped: true,
    make: (w, where) => get(`/api/terminals/${w.terminal[where]}`),
  },
  'get /api/terminals/:id/events': {
    who: ALL,
    scoped: true,
    make: (w, where) => get(`/api/terminals/${w.terminal[where]}/events`),
  },
  'get /api/terminals/:id/schedule': {
    who: ALL,
    scoped: true,
    make: (w, where) => get(`/api/terminals/${w.terminal[where]}/schedule`),
  },
  'post /api/terminals/:id/volume': {
    who: SENDERS,
    scoped: true,
    make: (w, where) => post(`/api/terminals/${w.newTerminal(where)}/volume`, { volume: 60 }),
  },
  'post /api/terminals/:id/disable': {
    who: ADMIN,
    scoped: true,
    make: (w, where) => post(`/api/terminals/${w.newTerminal(where)}/disable`),
  },
  'post /api/terminals/:id/enable': {
    who: ADMIN,
    scoped: true,
    make: (w, where) => post(`/api/terminals/${w.newTerminal(where)}/enable`),
  },
  'post /api/terminals/:id/rotate-credentials': {
    who: ADMIN,
    scoped: true,
    make: (w, where) => post(`/api/terminals/${w.newTerminal(where)}/rotate-credentials`),
  },

  'get /api/media': {
    who: ALL,
    scoped: true,
    make: (w, where) => {
      w.content(where, 'approved');
      return { ...get('/api/media'), find: w.media[where] };
    },
    list: true,
  },
  'post /api/media': {
    who: SENDERS,
    scoped: false,
    make: (w) => {
      const form = new FormData();
      form.append('file', new Blob([readFileSync(w.toneFile)]), 'tone.wav');
      return { method: 'POST', path: '/api/media', raw: { body: form } };
    },
  },
  'get /api/media/:sha256': {
    who: ALL,
    scoped: true,
    make: (w, where) => {
      w.content(where, 'approved');
      return get(`/api/media/${w.media[where]}`);
    },
  },
  'get /api/media/:sha256/audio': {
    who: ALL,
    scoped: true,
    make: (w, where) => {
      w.content(where, 'approved');
      return get(`/api/media/${w.media[where]}/audio`);
    },
  },

  'get /api/content': {
    who: ALL,
    scoped: true,
    make: (w, where) => ({ ...get('/api/content?limit=200'), find: w.content(where, 'draft') }),
    list: true,
  },
  'get /api/content/review-queue': {
    who: REVIEWERS,
    scoped: true,
    make: (w, where) => ({ ...get('/api/content/review-queue'), find: w.content(where, 'submitted') }),
    list: true,
  },
  'post /api/content': {
    who: SENDERS,
    scoped: true,
    make: (w, where) =>
      post('/api/content', { title: '新内容', scopeCode: w.township[where], mediaSha256: w.media[where] }),
  },
  'get /api/content/:id': {
    who: ALL,
    scoped: true,
    make: (w, where) => get(`/api/content/${w.content(where, 'draft')}`),
  },
  'put /api/content/:id': {
    who: SENDERS,
    scoped: true,
    make: (w, where) => ({
      method: 'PUT',
      path: `/api/content/${w.content(where, 'approved')}`,
      body: { title: '改过的标题' },
    }),
  },
  'delete /api/content/:id': {
    who: SENDERS,
    scoped: true,
    make: (w, where) => ({ method: 'DELETE', path: `/api/content/${w.content(where, 'draft')}` }),
  },
  'post /api/content/:id/submit': {
    who: SENDERS,
    scoped: true,
    make: (w, where) => post(`/api/content/${w.content(where, 'draft')}/submit`),
  },
  'post /api/content/:id/withdraw': {
    who: SENDERS,
    scoped: true,
    make: (w, where) => post(`/api/content/${w.content(where, 'submitted')}/withdraw`),
  },
  'post /api/content/:id/approve': {
    who: REVIEWERS,
    scoped: true,
    make: (w, where) => post(`/api/content/${w.content(where, 'submitted')}/approve`),
  },
  'post /api/content/:id/reject': {
    who: REVIEWERS,
    scoped: true,
    make: (w, where) =>
      post(`/api/content/${w.content(where, 'submitted')}/reject`, { reason: '请补充时间地点' }),
  },

  'post /api/broadcasts': {
    who: SENDERS,
    scoped: true,
    make: (w, where) =>
      post('/api/broadcasts', {
        contentId: w.content(where, 'approved'),
        target: { kind: 'area', code: w.township[where] },
      }),
  },
  'get /api/broadcasts': {
    who: ALL,
    scoped: true,
    make: (w, where) => ({ ...get('/api/broadcasts'), find: w.broadcast(where) }),
    list: true,
  },
  'get /api/broadcasts/:id': {
    who: ALL,
    scoped: true,
    make: (w, where) => get(`/api/broadcasts/${w.broadcast(where)}`),
  },
  'post /api/broadcasts/:id/stop': {
    who: SENDERS,
    scoped: true,
    make: (w, where) => post(`/api/broadcasts/${w.broadcast(where)}/stop`),
  },

  'get /api/programmes': {
    who: ALL,
    scoped: true,
    make: (w, where) => {
      const id = w.programme(where);
      return { ...get(`/api/programmes?from=2026-12-01&to=2027-12-31`), find: id };
    },
    list: true,
  },
  'post /api/programmes': {
    who: PLANNERS,
    scoped: true,
    make: (w, where) =>
      post('/api/programmes', {
        date: w.freshDate(),
        slotId: 'evening',
        scopeCode: w.township[where],
        title: '新节目',
        items: [{ contentId: w.content(where, 'approved') }],
      }),
  },
  'get /api/programmes/:id': {
    who: ALL,
    scoped: true,
    make: (w, where) => get(`/api/programmes/${w.programme(where)}`),
  },
  'put /api/programmes/:id': {
    who: PLANNERS,
    scoped: true,
    make: (w, where) => ({
      method: 'PUT',
      path: `/api/programmes/${w.programme(where)}`,
      body: { items: [{ contentId: w.content(where, 'approved') }] },
    }),
  },
  'delete /api/programmes/:id': {
    who: PLANNERS,
    scoped: true,
    make: (w, where) => ({ method: 'DELETE', path: `/api/programmes/${w.programme(where)}` }),
  },
  'post /api/programmes/:id/copy': {
    who: PLANNERS,
    scoped: true,
    make: (w, where) => post(`/api/programmes/${w.programme(where)}/copy`, { dates: [w.freshDate()] }),
  },
  'get /api/recurring-items': {
    who: ALL,
    scoped: true,
    make: (w, where) => ({ ...get('/api/recurring-items'), find: w.recurring(where) }),
    list: true,
  },
  'post /api/recurring-items': {
    who: PLANNERS,
    scoped: true,
    make: (w, where) => {
      const date = w.freshDate();
      return post('/api/recurring-items', {
        slotId: 'morning',
        scopeCode: w.township[where],
        contentId: w.content(where, 'approved'),
        fromDate: date,
        untilDate: date,
      });
    },
  },
  'delete /api/recurring-items/:id': {
    who: PLANNERS,
    scoped: true,
    make: (w, where) => ({ method: 'DELETE', path: `/api/recurring-items/${w.recurring(where)}` }),
  },

  'get /api/schedule': { who: ALL, scoped: false, make: () => get('/api/schedule') },
  'post /api/schedule/reload': { who: ADMIN, scoped: false, make: () => post('/api/schedule/reload') },
  'post /api/schedule/publish': { who: ADMIN, scoped: false, make: () => post('/api/schedule/publish') },
  'get /api/schedule/slots': {
    who: ALL,
    scoped: true,
    make: (w, where) => get(`/api/schedule/slots?date=2026-12-01&township=${w.township[where]}`),
  },
  'get /api/schedule/terminals': {
    who: ALL,
    scoped: true,
    make: (w, where) => ({ ...get('/api/schedule/terminals'), find: w.terminal[where] }),
    list: true,
  },

  'get /api/users': { who: AUDIT, scoped: false, make: () => get('/api/users') },
  'post /api/users': {
    who: ADMIN,
    scoped: false,
    make: (w) =>
      post('/api/users', {
        username: `new${w.freshDate().replace(/-/g, '')}`,
        displayName: '新用户',
        password: 'A-strong-temporary-pw-1',
        roles: [{ role: 'township_operator', scopeCode: w.township.in }],
      }),
  },
  'get /api/users/:id': { who: AUDIT, scoped: false, make: (w) => get(`/api/users/${w.user()}`) },
  'put /api/users/:id/roles': {
    who: ADMIN,
    scoped: false,
    make: (w) => ({
      method: 'PUT',
      path: `/api/users/${w.user()}/roles`,
      body: { roles: [{ role: 'county_reviewer', scopeCode: null }] },
    }),
  },
  'post /api/users/:id/disable': {
    who: ADMIN,
    scoped: false,
    make: (w) => post(`/api/users/${w.user()}/disable`),
  },
  'post /api/users/:id/enable': {
    who: ADMIN,
    scoped: false,
    make: (w) => post(`/api/users/${w.user()}/enable`),
  },
  'post /api/users/:id/password': {
    who: ADMIN,
    scoped: false,
    make: (w) => post(`/api/users/${w.user()}/password`, { password: 'Another-temporary-pw-2' }),
  },
  'post /api/users/:id/unlock': {
    who: ADMIN,
    scoped: false,
    make: (w) => post(`/api/users/${w.user()}/unlock`),
  },

  'get /api/audit': { who: AUDIT, scoped: false, make: () => get('/api/audit') },
  'get /api/audit/actions': { who: AUDIT, scoped: false, make: () => get('/api/audit/actions') },
  'get /api/audit/verify': { who: AUDIT, scoped: false, make: () => get('/api/audit/verify') },
  ...ALERT_ROUTE_MATRIX,
  ...SPEECH_ROUTE_MATRIX,
};
