import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTerminalId } from '@dlb/protocol';
import { describe, expect, it } from 'vitest';
import { AlertInputSchema } from '../server/src/emergency/alert-model.ts';
import { isDivisionGeocode } from '../server/src/emergency/cap/cap-area.ts';
import { parseCap } from '../server/src/emergency/cap/cap-parse.ts';
import type { CapAlert } from '../server/src/emergency/cap/cap-schema.ts';
import { type CapTerminal, capToAlert, chooseInfo } from '../server/src/emergency/cap/cap-to-alert.ts';
import { type LatLon, pointInPolygon } from '../server/src/emergency/cap/geo.ts';
import { lcContext } from '../server/src/emergency/cap/test-helpers.ts';
import { AppError } from '../server/src/errors.ts';

/**
 * Every valid CAP document must parse; it must then map, given a county whose terminals stand inside its
 * polygons and circles (foreign documents carry no GB/T 2260 geocode, so shapes are their only way in), or
 * be refused for a stated reason. Every `invalid-*` document must be refused by parseCap itself.
 */

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sharedDir = path.resolve(repoRoot, '..', 'shared', 'testdata', 'cap');
const ownDir = path.resolve(repoRoot, 'test', 'fixtures', 'cap');

const xmlFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.xml'))
    .sort();

/** Why parseCap refuses each invalid document. */
const INVALID_CODES: Record<string, string> = {
  'invalid-canada-empty-references.xml': 'cap_invalid',
  'invalid-cap11-nws-empty-required-values.xml': 'cap_invalid',
  'invalid-missing-scope.xml': 'cap_invalid',
  'invalid-not-xml-html-404-big5.xml': 'cap_malformed',
  'invalid-wrong-namespace-taiwan-wra.xml': 'cap_wrong_namespace',
  'invalid-xxe-doctype.xml': 'cap_doctype_forbidden',
  'invalid-billion-laughs.xml': 'cap_doctype_forbidden',
  'invalid-update-without-references.xml': 'cap_invalid',
};

/** How each valid real document maps (for files not listed, the same rule is derived from the document). */
const SHARED_OUTCOMES: Record<string, string> = {
  'australia-bom-severe-thunderstorm-cap-au-prefixed-ns.xml': 'cap_no_area',
  'australia-nsw-rfs-structure-fire-cap-au.xml': 'alert',
  'canada-ec-thunderstorm-update-cap-cp-en-fr.xml': 'update',
  'canada-eccc-weather-statement-cap-cp-en-fr.xml': 'alert',
  'cap11-nws-blizzard-warning-polygon.xml': 'cap_no_area',
  'cap11-nws-flash-flood-watch.xml': 'cap_no_area',
  'iceland-imo-wind-warning-is-en.xml': 'alert',
  'ipaws-cresa-admin-message-audio-mp3-derefuri.xml': 'cap_no_area',
  'ipaws-nevada-cancel-no-info-signed.xml': 'cancel',
  'metno-gale-warning-no-en.xml': 'alert',
  'mexico-smn-tropical-cyclone-update-es.xml': 'update',
  'nws-hurricane-warning-update-multipolygon-ugc-same.xml': 'update',
  'nws-tsunami-warning-update-references.xml': 'cap_no_area',
  'oasis-cap12-a1-homeland-security-advisory-resource-image.xml': 'cap_no_area',
  'oasis-cap12-a2-severe-thunderstorm-polygon-same.xml': 'alert',
  'oasis-cap12-a3-earthquake-update-references.xml': 'update',
  'oasis-cap12-a4-amber-alert-en-es.xml': 'cap_no_area',
  'philippines-pagasa-tropical-cyclone-status-test-signed.xml': 'cap_not_actual',
  'taiwan-cwa-earthquake-report-zh-tw-circle-resources.xml': 'alert',
  'taiwan-cwa-heavy-rain-cancel-zh-tw.xml': 'cancel',
  'taiwan-cwa-heavy-rain-update-zh-tw-references.xml': 'cap_no_area',
  'taiwan-cwa-thunderstorm-zh-tw-polygon.xml': 'alert',
  'taiwan-wra-reservoir-discharge-zh-tw-utf8-bom.xml': 'cap_no_area',
};

/** A point inside the ring: the first of a grid over its bounding box that ray casting accepts. */
function interiorPoint(ring: readonly LatLon[]): LatLon {
  const lats = ring.map((p) => p.lat);
  const lons = ring.map((p) => p.lon);
  const [s, n, w, e] = [Math.min(...lats), Math.max(...lats), Math.min(...lons), Math.max(...lons)];
  for (let i = 1; i < 60; i++) {
    for (let j = 1; j < 60; j++) {
      const p = { lat: s + ((n - s) * i) / 60, lon: w + ((e - w) * j) / 60 };
      if (pointInPolygon(p, ring)) return p;
    }
  }
  throw new Error('no interior point found');
}

/** One terminal of 灵川县 inside every polygon and circle of the info block the importer will use. */
function terminalsInside(cap: CapAlert): CapTerminal[] {
  const areas = chooseInfo(cap.info)?.area ?? [];
  const points = areas.flatMap((a) => [...a.polygon.map(interiorPoint), ...a.circle]);
  return points.map((p, i) => ({
    id: makeTerminalId('450323100201', i + 1),
    lat: p.lat,
    lon: p.lon,
    villageCode: '450323100201',
  }));
}

/** The rule the explicit tables spell out: real status, then a cancel, then an area in our county. */
function expectedOutcome(cap: CapAlert): string {
  if (['Test', 'System', 'Draft'].includes(cap.status)) return 'cap_not_actual';
  if (cap.msgType === 'Cancel') return 'cancel';
  const areas = chooseInfo(cap.info)?.area ?? [];
  const ours = areas.some((a) => a.geocode.some((g) => isDivisionGeocode(g.valueName)));
  return ours || terminalsInside(cap).length > 0 ? cap.msgType.toLowerCase() : 'cap_no_area';
}

function importOutcome(cap: CapAlert, terminals: CapTerminal[]): string {
  try {
    const r = capToAlert(cap, lcContext({ now: Date.parse(cap.sent), terminals }));
    if (r.input) {
      expect(AlertInputSchema.parse(r.input)).toEqual(r.input);
      expect(r.input.area.codes.length + r.input.area.terminalIds.length).toBeGreaterThan(0);
    }
    return r.kind;
  } catch (e) {
    if (e instanceof AppError) return e.code;
    throw e;
  }
}

function checkDir(dir: string, outcomes: Record<string, string>) {
  // describe.runIf still runs its body to collect tests: read the folder only when it is there.
  const files = existsSync(dir) ? xmlFiles(dir) : [];
  const valid = files.filter((f) => !f.startsWith('invalid-'));
  const invalid = files.filter((f) => f.startsWith('invalid-'));

  it.each(valid)('imports %s', (f) => {
    const cap = parseCap(readFileSync(path.join(dir, f)));
    const terminals = terminalsInside(cap);
    const outcome = importOutcome(cap, terminals);
    expect(outcome).toBe(outcomes[f] ?? expectedOutcome(cap));
    expect(outcome).toBe(expectedOutcome(cap));
  });

  it.each(invalid)('refuses %s', (f) => {
    let err: unknown;
    try {
      parseCap(readFileSync(path.join(dir, f)));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    const code = (err as AppError).code;
    expect(code).toBe(INVALID_CODES[f] ?? code);
  });
}

describe.runIf(existsSync(sharedDir))('CAP interop: real documents in shared/testdata/cap', () => {
  checkDir(sharedDir, SHARED_OUTCOMES);

  it('reads the real quirks: BOM, cap: prefix, CAP 1.1, inline MP3 audio, Chinese text', () => {
    const read = (f: string) => parseCap(readFileSync(path.join(sharedDir, f)));
    expect(read('taiwan-wra-reservoir-discharge-zh-tw-utf8-bom.xml').info[0]?.language).toBe('zh-tw');
    expect(read('australia-bom-severe-thunderstorm-cap-au-prefixed-ns.xml').sender).toBe(
      'CAP.Message@bom.gov.au',
    );
    expect(read('cap11-nws-flash-flood-watch.xml').version).toBe('1.1');
    // The IPAWS message only names US areas; give its info one of our codes to reach the audio.
    const ipaws = read('ipaws-cresa-admin-message-audio-mp3-derefuri.xml');
    const info = ipaws.info[0]!;
    const area = {
      areaDesc: '灵川县',
      polygon: [],
      circle: [],
      geocode: [{ valueName: 'GB/T2260', value: '450323' }],
    };
    const ours = { ...ipaws, info: [{ ...info, area: [area] }] };
    const r = capToAlert(ours, lcContext({ now: Date.parse(ipaws.sent) }));
    expect(r.audio?.mimeType).toBe('audio/x-ipaws-audio-mp3');
    const head = r.audio!.data.subarray(0, 3);
    expect(head.toString('latin1') === 'ID3' || (head[0] === 0xff && (head[1]! & 0xe0) === 0xe0)).toBe(true);
    expect(r.audio!.data.length).toBeGreaterThan(50_000);
  });
});

describe('CAP interop: own fixtures (test/fixtures/cap)', () => {
  checkDir(ownDir, {
    'lingchuan-bilingual-en-zh.xml': 'alert',
    'lingchuan-drill-exercise-circle.xml': 'alert',
    'lingchuan-flood-orange-polygon.xml': 'alert',
    'lingchuan-rainstorm-cancel.xml': 'cancel',
    'lingchuan-rainstorm-red-geocode.xml': 'alert',
    'lingchuan-rainstorm-update.xml': 'update',
  });
});

/** mulberry32: small, seeded, so a failing mutation can be replayed from its index. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(src: Buffer, rand: () => number): Buffer {
  const int = (n: number) => Math.floor(rand() * n);
  const text = src.toString('utf8');
  switch (int(6)) {
    case 0:
      return src.subarray(0, int(src.length));
    case 1: {
      const out = Buffer.from(src);
      for (let k = 1 + int(8); k > 0; k--) out[int(out.length)] = int(256);
      return out;
    }
    case 2: {
      // Duplicate one element (with its content) right after itself.
      const tags = [...text.matchAll(/<([A-Za-z:]+)>[^<]*<\/\1>/g)];
      const m = tags[int(tags.length)];
      if (!m || m.index === undefined) return src;
      const end = m.index + m[0].length;
      return Buffer.from(text.slice(0, end) + m[0].repeat(1 + int(3)) + text.slice(end));
    }
    case 3: {
      const at = int(text.length);
      const doctype = [
        '<!DOCTYPE alert>',
        '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        '<!ENTITY y "z">',
      ];
      return Buffer.from(text.slice(0, at) + doctype[int(doctype.length)] + text.slice(at));
    }
    case 4: {
      const at = int(text.length);
      const junk = ['&', '&x;', '&#0;', '<', '</alert>', ']]>', '<![CDATA[', '"', '\u0000', '<info>', '<!--'];
      return Buffer.from(text.slice(0, at) + junk[int(junk.length)] + text.slice(at));
    }
    default: {
      const a = int(text.length);
      return Buffer.from(text.slice(0, a) + text.slice(a + int(200)));
    }
  }
}

describe('CAP fuzz: mutations of valid documents', () => {
  it('300 seeded mutations either parse or are refused with an AppError, each quickly', () => {
    const sources = ['lingchuan-bilingual-en-zh.xml', 'lingchuan-flood-orange-polygon.xml'].map((f) =>
      readFileSync(path.join(ownDir, f)),
    );
    const rand = rng(20260701);
    const tally = { parsed: 0, refused: 0, mapped: 0 };
    for (let i = 0; i < 300; i++) {
      const input = mutate(sources[i % sources.length]!, rand);
      const started = performance.now();
      let cap: CapAlert | undefined;
      try {
        cap = parseCap(i % 2 === 0 ? input : input.toString('utf8'));
        tally.parsed++;
      } catch (e) {
        if (!(e instanceof AppError)) throw new Error(`mutation ${i}: ${String(e)}`);
        expect(e.status, `mutation ${i}`).toBeGreaterThanOrEqual(400);
        tally.refused++;
      }
      if (cap) {
        // What parses must also map or be refused cleanly.
        try {
          capToAlert(cap, lcContext({ now: Date.parse(cap.sent), terminals: terminalsInside(cap) }));
          tally.mapped++;
        } catch (e) {
          if (!(e instanceof AppError)) throw new Error(`mutation ${i} (import): ${String(e)}`);
        }
      }
      expect(performance.now() - started, `mutation ${i}`).toBeLessThan(500);
    }
    expect(tally.parsed + tally.refused).toBe(300);
    expect(tally.refused).toBeGreaterThan(50);
    expect(tally.parsed).toBeGreaterThan(10);
  });
});
