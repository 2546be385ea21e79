import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AreaService } from '../areas/area-service.ts';
import { loadConfig } from '../config.ts';
import { ContentService } from '../content/content-service.ts';
import { openDatabase } from '../db/database.ts';
import { resolveFfmpegTools } from '../media/ffmpeg-path.ts';
import { MediaStore } from '../media/store.ts';
import { MediaRecords } from '../media-library/media-records.ts';
import { SpeechModule } from './speech-module.ts';

describe('the speech module as the emergency path uses it', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dlb-speech-module-'));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('speaks alert text offline through the speech service, with the county lexicon and the normaliser', async () => {
    const db = openDatabase(path.join(dir, 'db.sqlite'));
    const config = loadConfig({ env: {}, cwd: dir, overrides: { dataDir: dir } });
    const areas = new AreaService(db);
    const records = new MediaRecords(db, Date.now);
    const m = new SpeechModule({
      config,
      db,
      areas,
      content: new ContentService({ db, areas, media: records, now: Date.now }),
      mediaStore: new MediaStore(path.join(dir, 'media')),
      mediaRecords: records,
      ffmpeg: resolveFfmpegTools(),
      now: Date.now,
      log: () => {},
    });
    try {
      m.lexicon.put({ term: '大圩', pinyin: 'da4 xu1', respell: '大虚' }, null, Date.now());
      const calls: Array<{ voice: string; lexicon?: unknown; text: string }> = [];
      const real = m.engines.synthesise.bind(m.engines);
      m.engines.synthesise = async (req) => {
        calls.push(req);
        const out = await real(req);
        calls.push({ voice: 'spoken', text: out.spokenText });
        return out;
      };
      const out = await m.offlineEngine.synthesise({ text: '大圩镇12时降雨50毫米', voice: 'cmn' });
      expect(out.engine).toBe('espeak-ng');
      expect(out.durationMs).toBeGreaterThan(1000);
      expect(calls[0]).toMatchObject({ voice: 'espeak:cmn', lexicon: [{ term: '大圩', pinyin: 'da4 xu1' }] });
      // Numbers in words, as an announcer reads them.
      expect(calls[1]!.text).toContain('五十毫米');
      expect(calls[1]!.text).not.toMatch(/[0-9]/);
    } finally {
      await m.stop();
      db.close();
    }
  }, 60_000);
});
