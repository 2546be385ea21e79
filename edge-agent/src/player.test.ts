import { describe, expect, it } from 'vitest';
import { CommandPlayer, findExecutable, PlayerError } from './player.ts';

const req = (file: string) => ({ commandId: 'c', broadcastId: 'b', file, durationMs: 100, volume: 55 });

describe('CommandPlayer', () => {
  it('substitutes {file} and {volume} and resolves on exit 0', async () => {
    const p = new CommandPlayer('sh', [
      '-c',
      'test "$0" = /tmp/x.mp3 && test "$1" = 55',
      '{file}',
      '{volume}',
    ]);
    expect(p.check()).toBeNull();
    await expect(p.play(req('/tmp/x.mp3'), new AbortController().signal)).resolves.toBeUndefined();
  });

  it('a non-zero exit is a failure', async () => {
    const p = new CommandPlayer('sh', ['-c', 'echo oops >&2; exit 3']);
    const err = await p.play(req('/f'), new AbortController().signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlayerError);
    expect((err as Error).message).toContain('code=3');
  });

  it('abort kills the program and resolves', async () => {
    const p = new CommandPlayer('sleep', ['30']);
    const ac = new AbortController();
    const t0 = Date.now();
    const done = p.play(req('/f'), ac.signal);
    setTimeout(() => ac.abort(), 50);
    await done;
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('reports a missing program as a fault and as a failure', async () => {
    const p = new CommandPlayer('/nonexistent/mpg123', ['{file}']);
    expect(p.check()).toMatch(/不存在/);
    await expect(p.play(req('/f'), new AbortController().signal)).rejects.toBeInstanceOf(PlayerError);
    expect(findExecutable('sh')).not.toBeNull();
  });
});
