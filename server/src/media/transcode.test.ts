import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeAudio } from './probe.ts';
import { runTool } from './run-tool.ts';
import { ffmpeg, measureLoudness, sine, swellingNoise, tempDirs, testTools } from './test-support.ts';
import { renderForTerminals } from './transcode.ts';

const tools = testTools();
const dirs = tempDirs();
let src = '';
let out = '';
const at = (name: string) => path.join(src, name);
let n = 0;
const nextOut = () => path.join(out, `render-${++n}.mp3`);

beforeAll(async () => {
  [src, out] = [await dirs.make(), await dirs.make()];
  await Promise.all([
    ffmpeg(tools, [...sine(3), '-ac', '2', '-ar', '48000'], at('tone.wav')),
    ffmpeg(tools, [...swellingNoise(6), '-ac', '2'], at('noise.wav')),
    ffmpeg(tools, [...sine(3, 300), '-af', 'volume=-25dB', '-c:a', 'libvorbis'], at('quiet.ogg')),
    ffmpeg(
      tools,
      [
        ...sine(2),
        '-c:a',
        'libmp3lame',
        '-metadata',
        'title=内部通知',
        '-metadata',
        'artist=某某',
        '-id3v2_version',
        '3',
      ],
      at('tagged.mp3'),
    ),
    ffmpeg(tools, ['-f', 'lavfi', '-i', 'anullsrc=r=44100:cl=mono', '-t', '2'], at('silent.wav')),
  ]);
  const wav = await readFile(at('tone.wav'));
  // Cut mid-sample: ffmpeg reports the last packet as corrupt.
  await writeFile(at('cut.wav'), wav.subarray(0, 20_001));
  await writeFile(at('header-only.wav'), wav.subarray(0, wav.indexOf('data') + 8));
  // A playlist that points at a local file: ffmpeg 4.1 detects HLS by content and would happily render it.
  await writeFile(
    at('playlist.part'),
    `#EXTM3U\n#EXT-X-TARGETDURATION:3\n#EXTINF:3,\n${at('tone.wav')}\n#EXT-X-ENDLIST\n`,
  );
});
afterAll(() => dirs.cleanup());

describe('renderForTerminals', () => {
  it('renders stereo 48 kHz WAV to loudness-normalised mono 44.1 kHz MP3 of the same length', async () => {
    const dest = nextOut();
    const r = await renderForTerminals(at('tone.wav'), dest, tools);
    expect(r.decodedMs).toBe(3000);
    const p = await probeAudio(dest, tools);
    expect(p).toMatchObject({ codec: 'mp3', channels: 1, sampleRate: 44100, formatName: 'mp3' });
    expect(Math.abs(p.durationMs - 3000)).toBeLessThanOrEqual(100);
    const { i, tp } = await measureLoudness(tools, dest);
    expect(Math.abs(i - -16)).toBeLessThanOrEqual(1);
    expect(tp).toBeLessThanOrEqual(-1.5 + 0.2);
  });

  it('limits true peak on dense, swelling material', async () => {
    const dest = nextOut();
    await renderForTerminals(at('noise.wav'), dest, tools);
    const { i, tp } = await measureLoudness(tools, dest);
    expect(Math.abs(i - -16)).toBeLessThanOrEqual(1);
    expect(tp).toBeLessThanOrEqual(-1.5 + 0.2);
  });

  it('lifts a quiet OGG to the target', async () => {
    const dest = nextOut();
    await renderForTerminals(at('quiet.ogg'), dest, tools);
    expect((await measureLoudness(tools, dest)).i).toBeGreaterThan(-17);
    const p = await probeAudio(dest, tools);
    expect(Math.abs(p.durationMs - 3000)).toBeLessThanOrEqual(100);
  });

  it('strips metadata and renders the same input to the same bytes', async () => {
    const [a, b] = [nextOut(), nextOut()];
    await renderForTerminals(at('tagged.mp3'), a, tools);
    await renderForTerminals(at('tagged.mp3'), b, tools);
    const bytes = await readFile(a);
    expect(bytes.equals(await readFile(b))).toBe(true);
    expect(bytes.subarray(0, 3).toString('latin1')).not.toBe('ID3');
    expect(bytes.includes(Buffer.from('内部通知'))).toBe(false);
    const r = await runTool(
      tools.ffprobe,
      ['-v', 'error', '-show_entries', 'format_tags', '-of', 'json', a],
      {
        timeoutMs: 10_000,
      },
    );
    expect(JSON.parse(r.stdout).format?.tags ?? {}).toEqual({});
  });

  it('decodes at most maxDecodeMs', async () => {
    const r = await renderForTerminals(at('tone.wav'), nextOut(), tools, { maxDecodeMs: 1000 });
    expect(r.decodedMs).toBe(1000);
  });

  describe('refuses, leaving no output and no partial file', () => {
    const out0 = () => path.join(out, 'refused.mp3');

    it('a WAV cut mid-sample: 422 corrupt_audio', async () => {
      await expectNoOutputAfter(() => renderForTerminals(at('cut.wav'), out0(), tools), {
        status: 422,
        code: 'corrupt_audio',
        message: '音频文件已损坏或不完整',
      });
    });

    it('a WAV that is only a header: 422 empty_audio', async () => {
      await expectNoOutputAfter(() => renderForTerminals(at('header-only.wav'), out0(), tools), {
        status: 422,
        code: 'empty_audio',
      });
    });

    it('digital silence: 422 silent_audio', async () => {
      await expectNoOutputAfter(() => renderForTerminals(at('silent.wav'), out0(), tools), {
        status: 422,
        code: 'silent_audio',
      });
    });

    it('a playlist posing as audio (never followed)', async () => {
      await expectNoOutputAfter(() => renderForTerminals(at('playlist.part'), out0(), tools), {
        status: 422,
        code: 'corrupt_audio',
      });
    });

    it('an encoder failure after the measuring pass succeeded: an internal error, not the file', async () => {
      const error = await expectNoOutputAfter(
        () => renderForTerminals(at('tone.wav'), out0(), tools, { sampleRate: 1000 }),
        {
          message: expect.stringMatching(/^ffmpeg encode failed/),
        },
      );
      expect(error).not.toHaveProperty('status');
    });
  });
});

/** Lists the output folder before the render starts, so the render's rejection always has a handler. */
async function expectNoOutputAfter(
  render: () => Promise<unknown>,
  error: Record<string, unknown>,
): Promise<unknown> {
  const before = await readdir(out);
  const failure = await render().then(
    () => {
      throw new Error('the render succeeded; a failure was expected');
    },
    (e: unknown) => e,
  );
  expect(failure).toMatchObject(error);
  expect(await readdir(out)).toEqual(before);
  return failure;
}

describe('fixtures sanity', () => {
  it('the cut WAV really is reported by ffmpeg', async () => {
    const r = await runTool(
      tools.ffmpeg,
      ['-v', 'error', '-xerror', '-i', at('cut.wav'), '-f', 'null', '-'],
      {
        timeoutMs: 10_000,
      },
    );
    expect(r.code).not.toBe(0);
  });
});
