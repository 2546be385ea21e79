import { describe, expect, it } from 'vitest';
import { runTool } from './run-tool.ts';

const node = process.execPath;

describe('runTool', () => {
  it('returns exit code, stdout and stderr', async () => {
    const r = await runTool(
      node,
      ['-e', 'process.stdout.write("out"); process.stderr.write("err"); process.exit(3)'],
      {
        timeoutMs: 10_000,
      },
    );
    expect(r).toMatchObject({ code: 3, stdout: 'out', stderr: 'err', timedOut: false, signal: null });
  });

  it('passes arguments verbatim, without a shell', async () => {
    const r = await runTool(node, ['-e', 'console.log(process.argv[1])', '$(echo no); rm -rf /'], {
      timeoutMs: 10_000,
    });
    expect(r.stdout.trim()).toBe('$(echo no); rm -rf /');
  });

  it('kills a child that overruns its time limit', async () => {
    const t0 = Date.now();
    const r = await runTool(node, ['-e', 'setTimeout(() => {}, 60_000)'], { timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe('SIGKILL');
    expect(r.code).toBeNull();
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('keeps only the tail of a flood of stderr', async () => {
    const script =
      'for (let i = 0; i < 2000; i++) process.stderr.write("x".repeat(500) + "\\n"); process.stderr.write("THE END")';
    const r = await runTool(node, ['-e', script], { timeoutMs: 10_000, maxStderrBytes: 4096 });
    expect(r.stderr.length).toBeLessThanOrEqual(4096);
    expect(r.stderr.endsWith('THE END')).toBe(true);
    expect(r.stderrTruncated).toBe(true);
  });

  it('rejects when the binary does not exist', async () => {
    await expect(runTool('/nonexistent/ffmpeg', [], { timeoutMs: 1000 })).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });
});
