import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  normaliseCode,
  parseAreaCsv,
  parseAreaJson,
  validateAreas,
} from '../server/src/areas/area-import.ts';
import { SAMPLE_COUNTY_FILE } from '../server/src/centre.ts';
import { REPO_ROOT } from './helpers/processes.ts';

// Real public data beside the project (as in CI); a user's fresh clone has none, and this suite then says so.
const RAW = path.join(REPO_ROOT, '..', 'shared', 'testdata', 'areas', 'lingchuan-raw.csv');
const present = existsSync(RAW);
if (!present) console.warn(`跳过行政区划互通测试：找不到 ${RAW}`);

describe.runIf(present)(
  'interop: the NBS table of Lingchuan imports to exactly the bundled sample county',
  () => {
    it('reads the raw header-less NBS CSV (12-digit padded codes) into the same tree as the sample', () => {
      const fromCsv = validateAreas(parseAreaCsv(readFileSync(RAW, 'utf8')), new Set());
      const fromSample = validateAreas(
        parseAreaJson(JSON.parse(readFileSync(SAMPLE_COUNTY_FILE, 'utf8'))),
        new Set(),
      );
      expect(fromCsv).toEqual(fromSample);
      const levels: Record<string, number> = {};
      for (const a of fromCsv) levels[a.level] = (levels[a.level] ?? 0) + 1;
      expect(levels).toEqual({ county: 1, township: 12, village: 149 });
      expect(fromCsv.find((a) => a.code === normaliseCode('450323101000'))?.name).toBe('大圩镇');
    });
  },
);
