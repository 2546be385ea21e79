import type { MatrixWorld, StaffKey } from './matrix-world.ts';
import { ALL, type Req, type RouteCase } from './route-matrix-types.ts';

/** content.write (and media.upload): who makes spoken content. */
const SENDERS: readonly StaffKey[] = [
  'county_admin',
  'county_operator',
  'township_operator',
  'emergency_county',
  'emergency_township',
];
/** lexicon.write: the county media centre keeps the county's pronunciation lexicon. */
const LEXICON: readonly StaffKey[] = ['county_admin', 'county_operator'];
/** area.settings: which versions a township plays (its own staff, or the county administrator). */
const SETTINGS: readonly StaffKey[] = ['county_admin', 'township_operator'];

const get = (path: string): Req => ({ method: 'GET', path });
const post = (path: string, body: unknown = {}): Req => ({ method: 'POST', path, body });

let terms = 0;
/** A lexicon term that exists, a different one per call (each case deletes its own). */
function freshTerm(w: MatrixWorld): string {
  const term = `矩阵${'零一二三四五六七八九'[terms % 10]}${'甲乙丙丁戊己庚辛壬癸'[Math.floor(terms / 10) % 10]}`;
  terms++;
  w.centre.services.lexicon.put({ term, pinyin: 'ju3 zhen4 ling2 jia3' }, null, w.now());
  return term;
}

/**
 * Speech routes. Bodies with empty text get past every permission and scope check and are then refused by the
 * speech service (400), so the matrix needs no synthesis.
 */
export const SPEECH_ROUTE_MATRIX: Record<string, RouteCase> = {
  'get /api/tts/voices': { who: ALL, scoped: false, make: () => get('/api/tts/voices') },
  'post /api/tts/preview': {
    who: SENDERS,
    scoped: false,
    make: () => post('/api/tts/preview', { text: '', voice: 'espeak:cmn' }),
    passed: [400],
  },
  'post /api/content/from-text': {
    who: SENDERS,
    scoped: true,
    make: (w, where) =>
      post('/api/content/from-text', {
        title: '文字稿',
        scopeCode: w.township[where],
        text: '',
        versions: [{ language: 'cmn', voice: 'espeak:cmn' }],
      }),
    passed: [400],
  },
  'get /api/content/:id/versions': {
    who: ALL,
    scoped: true,
    make: (w, where) => get(`/api/content/${w.content(where, 'draft')}/versions`),
  },
  'post /api/content/:id/versions': {
    who: SENDERS,
    scoped: true,
    make: (w, where) =>
      post(`/api/content/${w.content(where, 'draft')}/versions`, {
        language: 'guiliu',
        voice: 'espeak:cmn',
        text: '',
      }),
    passed: [400],
  },
  'get /api/lexicon': { who: ALL, scoped: false, make: () => get('/api/lexicon') },
  'put /api/lexicon/:term': {
    who: LEXICON,
    scoped: false,
    make: () => ({
      method: 'PUT',
      path: `/api/lexicon/${encodeURIComponent('大圩')}`,
      body: { pinyin: 'da4 xu1', respell: '大虚' },
    }),
  },
  'delete /api/lexicon/:term': {
    who: LEXICON,
    scoped: false,
    make: (w) => ({ method: 'DELETE', path: `/api/lexicon/${encodeURIComponent(freshTerm(w))}` }),
  },
  'get /api/areas/:code/version-order': {
    who: ALL,
    scoped: true,
    make: (w, where) => get(`/api/areas/${w.township[where]}/version-order`),
  },
  'put /api/areas/:code/version-order': {
    who: SETTINGS,
    scoped: true,
    make: (w, where) => ({
      method: 'PUT',
      path: `/api/areas/${w.township[where]}/version-order`,
      body: { languages: ['cmn', 'guiliu'] },
    }),
  },
};
