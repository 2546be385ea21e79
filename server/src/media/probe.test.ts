import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeAudio } from './probe.ts';
import { ffmpeg, sine, tempDirs, testTools, vbrWithoutXing } from './test-support.ts';

const tools = testTools();
const dirs = tempDirs();
let dir = '';
const at = (name: string) => path.join(dir, name);
const formats: Array<[string, string]> = [];

beforeAll(async () => {
  dir = await dirs.make();
  await ffmpeg(tools, [...sine(2), '-ac', '2', '-ar', '48000'], at('tone.wav'));
  await ffmpeg(tools, [...sine(2), '-c:a', 'libmp3lame'], at('tone.mp3'));
  await ffmpeg(tools, [...sine(2), '-c:a', 'libvorbis'], at('tone.ogg'));
  // VBR without a Xing header, quiet start: ffprobe can only guess its length from the first frames' bitrate.
  await ffmpeg(tools, vbrWithoutXing(6), at('vbr-noxing.mp3'));
  // A WebM as a browser records it live: no duration in the container.
  await ffmpeg(tools, [...sine(1), '-c:a', 'libopus', '-f', 'webm', '-live', '1'], at('live.webm.tmp'));
  const wav = await readFile(at('tone.wav'));
  await writeFile(at('header-only.wav'), wav.subarray(0, wav.indexOf('data') + 8));
  await writeFile(at('text.mp3'), '这不是音频，是一段文字。\n'.repeat(40));
  await writeFile(at('zero.mp3'), '');
  // Other formats staff bring, each named .part as uploads are: detection must go by content, not name.
  const others: Array<[string, string[]]> = [
    ['flac', ['-f', 'flac']],
    ['aiff', ['-f', 'aiff']],
    ['w64', ['-f', 'w64']],
    ['amr', ['-ar', '8000', '-c:a', 'libopencore_amrnb', '-f', 'amr']],
    ['asf', ['-c:a', 'wmav2', '-f', 'asf']],
    ['aac', ['-c:a', 'aac', '-f', 'adts']],
    ['mov,mp4,m4a,3gp,3g2,mj2', ['-c:a', 'aac', '-f', 'ipod']],
  ];
  await Promise.all(others.map(([, args], i) => ffmpeg(tools, [...sine(1), ...args], at(`other-${i}.part`))));
  formats.push(...others.map(([fmt], i) => [fmt, `other-${i}.part`] as [string, string]));
  // An HLS playlist in disguise: must never be opened (it would make ffmpeg fetch the URL).
  await writeFile(
    at('playlist.mp3'),
    '#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nhttp://127.0.0.1:9/x.ts\n#EXT-X-ENDLIST\n',
  );
  await writeFile(at('playlist.m3u8'), await readFile(at('playlist.mp3')));
});
afterAll(() => dirs.cleanup());

describe('probeAudio', () => {
  it('describes WAV, MP3 and OGG', async () => {
    expect(await probeAudio(at('tone.wav'), tools)).toEqual({
      durationMs: 2000,
      durationSource: 'header',
      codec: 'pcm_s16le',
      sampleRate: 48000,
      channels: 2,
      formatName: 'wav',
    });
    expect(await probeAudio(at('tone.mp3'), tools)).toMatchObject({
      codec: 'mp3',
      channels: 1,
      formatName: 'mp3',
    });
    const ogg = await probeAudio(at('tone.ogg'), tools);
    expect(ogg).toMatchObject({ codec: 'vorbis', formatName: 'ogg', durationSource: 'header' });
    expect(ogg.durationMs).toBeGreaterThan(1900);
    expect(ogg.durationMs).toBeLessThan(2100);
  });

  it('opens FLAC, AIFF, W64, AMR, WMA, ADTS AAC and M4A (all on the demuxer whitelist)', async () => {
    expect(formats).toHaveLength(7);
    for (const [fmt, name] of formats) expect((await probeAudio(at(name), tools)).formatName).toBe(fmt);
  });

  it('marks a duration ffprobe had to guess from the bitrate', async () => {
    const p = await probeAudio(at('vbr-noxing.mp3'), tools);
    expect(p.durationSource).toBe('estimated');
    expect(Math.abs(p.durationMs - 6000)).toBeGreaterThan(1000); // the guess really is wrong
  });

  it.each(['text.mp3', 'zero.mp3', 'playlist.mp3', 'playlist.m3u8'])(
    'refuses %s as not audio (415)',
    async (name) => {
      await expect(probeAudio(at(name), tools)).rejects.toMatchObject({
        status: 415,
        code: 'not_audio',
        message: '不是可解码的音频文件',
      });
    },
  );

  it('refuses a WAV that is only a header as empty (422), unless the caller will measure it', async () => {
    await expect(probeAudio(at('header-only.wav'), tools)).rejects.toMatchObject({
      status: 422,
      code: 'empty_audio',
    });
    const p = await probeAudio(at('header-only.wav'), tools, { allowUnknownDuration: true });
    expect(p).toMatchObject({ durationMs: 0, durationSource: 'unknown' });
  });

  it('reports a live-recorded WebM as of unknown length rather than empty, when allowed', async () => {
    await expect(probeAudio(at('live.webm.tmp'), tools)).rejects.toMatchObject({ code: 'empty_audio' });
    const p = await probeAudio(at('live.webm.tmp'), tools, { allowUnknownDuration: true });
    expect(p).toMatchObject({ codec: 'opus', durationSource: 'unknown', formatName: 'matroska,webm' });
  });

  it('never puts a path or tool output in the error', async () => {
    const e = (await probeAudio(at('text.mp3'), tools).catch((x: unknown) => x)) as Error;
    expect(JSON.stringify({ m: e.message, d: (e as { details?: unknown }).details })).not.toContain(dir);
  });
});
