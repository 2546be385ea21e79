import { afterAll, describe, expect, it } from 'vitest';
import { listFiles, tempDirs, testTools } from '../media/test-support.ts';
import { benchRender } from './render-bench.ts';

const dirs = tempDirs('dlb-render-');
afterAll(() => dirs.cleanup());

describe('benchRender', () => {
  it('renders and times one minute of speech-like audio in two parts, with chimes', async () => {
    const tempDir = await dirs.make();
    const b = await benchRender({ minutes: 1, tools: testTools(), tempDir });
    console.log(
      `render benchmark: ${b.audioMs} ms of audio in ${b.renderMs} ms = ${b.msPerAudioMinute} ms per minute ` +
        `(${b.render.loudness.integrated} LUFS, ${b.render.loudness.truePeak} dBTP, ${b.render.passes} pass(es))`,
    );
    // 60 s of speech less its trimmed silence, two chimes and three pauses.
    expect(Math.abs(b.audioMs - (60_000 + 2 * 2600 + 3 * 800))).toBeLessThanOrEqual(100);
    expect(b.render.withinTarget).toBe(true);
    expect(b.renderMs).toBeGreaterThan(0);
    expect(await listFiles(tempDir)).toEqual([]);
  });
});
