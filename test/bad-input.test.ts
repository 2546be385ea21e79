import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Centre } from '../server/src/centre.ts';
import { type ApiClient, ApiError } from './helpers/api-client.ts';
import { ffmpeg, makeTone } from './helpers/audio.ts';
import { tempDir } from './helpers/fleet.ts';
import { startInProcessCentre } from './helpers/in-process-centre.ts';

const MAX_UPLOAD = 300 * 1024;

function storedFiles(dataDir: string): string[] {
  const root = path.join(dataDir, 'media');
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = path.join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(path.relative(root, p));
    }
  };
  walk(root);
  return out.sort();
}

describe('bad input gets a clear error and leaves nothing behind', () => {
  const tmp = tempDir('dlb-bad-');
  let centre: Centre;
  let api: ApiClient;
  const mediaCount = () => (centre.db.prepare('SELECT COUNT(*) AS n FROM media').get() as { n: number }).n;

  beforeAll(async () => {
    ({ centre, api } = await startInProcessCentre(tmp.dir, {
      media: { maxUploadBytes: MAX_UPLOAD, maxDurationSec: 60 },
    }));
  });
  afterAll(async () => {
    await centre?.stop();
    await tmp.cleanup();
  });

  async function expectUploadRefused(file: string, status: number, code: RegExp): Promise<string> {
    const before = { rows: mediaCount(), files: storedFiles(centre.config.dataDir) };
    const err = await api.upload(file).then(
      () => null,
      (e: ApiError) => e,
    );
    expect(err, `upload of ${path.basename(file)} should fail`).toBeInstanceOf(ApiError);
    expect(err!.status).toBe(status);
    expect(err!.body?.error?.code).toMatch(code);
    expect(err!.body?.error?.message).toMatch(/[\u4e00-\u9fa5]/); // a Chinese message for county staff
    expect(mediaCount()).toBe(before.rows);
    expect(storedFiles(centre.config.dataDir)).toEqual(before.files);
    return err!.body!.error!.message!;
  }

  it('refuses a file that is not audio', async () => {
    const f = path.join(tmp.dir, 'notice.mp3');
    writeFileSync(f, '<html>这不是音频</html>'.repeat(50));
    expect(await expectUploadRefused(f, 415, /not_audio/)).toContain('不是可解码的音频');
  });

  it('refuses an empty file', async () => {
    const f = path.join(tmp.dir, 'empty.wav');
    writeFileSync(f, '');
    await expectUploadRefused(f, 422, /empty_file/);
  });

  it('refuses a truncated WAV (the header says more than arrived)', async () => {
    const full = path.join(tmp.dir, 'full.wav');
    makeTone(full, 2);
    const cut = path.join(tmp.dir, 'cut.wav');
    const bytes = readFileSync(full);
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    expect(await expectUploadRefused(cut, 422, /truncated_audio/)).toContain('不完整');
  });

  it('refuses a truncated MP3 (far less decodes than its header declares)', async () => {
    const wav = path.join(tmp.dir, 'long.wav');
    makeTone(wav, 8);
    const mp3 = path.join(tmp.dir, 'long.mp3');
    ffmpeg(['-i', wav, '-c:a', 'libmp3lame', '-b:a', '32k'], mp3);
    const bytes = readFileSync(mp3);
    const cut = path.join(tmp.dir, 'cut.mp3');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 3)));
    await expectUploadRefused(cut, 422, /truncated_audio/);
  });

  it('refuses a file over the size limit with 413', async () => {
    const big = path.join(tmp.dir, 'big.wav');
    makeTone(big, 10); // ~860 KB of PCM
    expect(statSync(big).size).toBeGreaterThan(MAX_UPLOAD);
    expect(await expectUploadRefused(big, 413, /payload_too_large/)).toContain('MB');
  });

  it('refuses audio longer than the configured maximum', async () => {
    const long = path.join(tmp.dir, 'long-quiet.mp3');
    ffmpeg(['-f', 'lavfi', '-i', 'sine=duration=70', '-c:a', 'libmp3lame', '-b:a', '8k'], long);
    await expectUploadRefused(long, 422, /too_long/);
  });

  it('refuses a multipart body without a file, and a non-multipart body', async () => {
    const form = new FormData();
    form.append('title', '没有文件');
    const res = await api.raw('POST', '/api/media', { body: form });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('no_file');
    const res2 = await api.raw('POST', '/api/media', {
      body: 'abc',
      headers: { 'content-type': 'text/plain' },
    });
    expect(res2.status).toBe(415);
  });

  it('cleans up after a client that disconnects mid-upload', async () => {
    const boundary = 'xxBOUNDARYxx';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\n`;
    const http = await import('node:http');
    await new Promise<void>((resolve) => {
      const req = http.request(`${centre.httpUrl}/api/media`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${api.token}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': '100000',
        },
      });
      req.on('error', () => resolve());
      req.write(head + 'R'.repeat(5000));
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 200);
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(await centre.services.mediaStore.tempFiles()).toEqual([]);
    expect((await fetch(`${centre.httpUrl}/healthz`)).status).toBe(200);
  });

  it('answers malformed and oversized JSON with 400/413, and unknown ids with 404', async () => {
    const post = (body: string, type = 'application/json') =>
      api.raw('POST', '/api/broadcasts', { body, headers: { 'content-type': type } });
    expect((await post('{"contentId":')).status).toBe(400);
    expect((await post(JSON.stringify({ pad: 'x'.repeat(400 * 1024) }))).status).toBe(413);
    expect((await post('{}')).status).toBe(400);
    expect((await post('contentId=abc', 'application/x-www-form-urlencoded')).status).toBe(415);
    const unknownMedia = await post(
      JSON.stringify({ contentId: `c${'a'.repeat(16)}`, target: { kind: 'county' } }),
    );
    expect(unknownMedia.status).toBe(404);
    expect(((await unknownMedia.json()) as { error: { message: string } }).error.message).toContain('不存在');
    await expect(api.call('POST', '/api/terminals/61234567890120301000100/disable')).rejects.toMatchObject({
      status: 404,
    });
    await expect(api.call('POST', '/api/terminals', { villageCode: '450323101' })).rejects.toMatchObject({
      status: 400,
    });
    await expect(api.call('POST', '/api/terminals', { villageCode: '450323999999' })).rejects.toMatchObject({
      status: 404,
    });
    const count = (centre.db.prepare('SELECT COUNT(*) AS n FROM broadcasts').get() as { n: number }).n;
    expect(count).toBe(0);
  });

  it('refuses a bad division file atomically', async () => {
    const before = (centre.db.prepare('SELECT COUNT(*) AS n FROM areas').get() as { n: number }).n;
    const csv = 'code,name\n450323101,大圩镇\n450323101777,新村\n450323999888,无上级的村\n';
    const res = await api.raw('POST', '/api/areas/import', {
      body: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('450323999');
    expect((centre.db.prepare('SELECT COUNT(*) AS n FROM areas').get() as { n: number }).n).toBe(before);
    const ok = await api.raw('POST', '/api/areas/import', {
      body: 'code,name\n450323101777,新村\n',
      headers: { 'content-type': 'text/csv' },
    });
    expect(ok.status).toBe(200);
    expect((centre.db.prepare('SELECT COUNT(*) AS n FROM areas').get() as { n: number }).n).toBe(before + 1);
  });
});
