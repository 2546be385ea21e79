import { describe, expect, it, vi } from 'vitest';
import { alertSequence } from './alert-sequence.ts';
import { Playback, type PlaybackOutcome } from './playback.ts';
import { SilentSink } from './player.ts';
import { realTimers } from './runtime.ts';

const media = (durationMs: number) => ({
  sha256: 'a'.repeat(64),
  path: '/m/a.mp3',
  bytes: 10,
  durationMs,
  mime: 'audio/mpeg',
});

function setup() {
  vi.useFakeTimers({ now: 1_000_000 });
  const outcomes: Array<[string, PlaybackOutcome['kind'], string?]> = [];
  const snapshots: number[] = [];
  const sink = new SilentSink({ timers: realTimers, now: Date.now });
  const pb = new Playback({
    player: sink,
    now: Date.now,
    timers: realTimers,
    volume: () => 70,
    onOutcome: (o) => outcomes.push([o.item.commandId, o.kind, 'reason' in o ? o.reason : undefined]),
    onChange: (s) => snapshots.push(s.queue.length),
  });
  return { pb, outcomes, sink };
}

describe('Playback (fake clock)', () => {
  it('plays for the media duration, then the next in line', async () => {
    const { pb, outcomes, sink } = setup();
    pb.add({
      commandId: 'a',
      broadcastId: 'A',
      priority: 150,
      expiresAt: Date.now() + 60_000,
      media: media(1000),
    });
    pb.add({
      commandId: 'b',
      broadcastId: 'B',
      priority: 150,
      expiresAt: Date.now() + 60_000,
      media: media(1000),
    });
    pb.markReady('a', '/f/a');
    pb.markReady('b', '/f/b');
    expect(pb.playing()?.item.commandId).toBe('a');
    await vi.advanceTimersByTimeAsync(1000);
    expect(pb.playing()?.item.commandId).toBe('b');
    await vi.advanceTimersByTimeAsync(1000);
    expect(pb.playing()).toBeNull();
    expect(outcomes).toEqual([
      ['a', 'waiting', undefined],
      ['a', 'playing', undefined],
      ['b', 'waiting', undefined],
      ['a', 'played', undefined],
      ['b', 'playing', undefined],
      ['b', 'played', undefined],
    ]);
    expect(sink.records.map((r) => [r.commandId, r.stoppedAt! - r.startedAt, r.volume])).toEqual([
      ['a', 1000, 70],
      ['b', 1000, 70],
    ]);
    vi.useRealTimers();
  });

  it('an emergency preempts; the interrupted play is cancelled as preempted', async () => {
    const { pb, outcomes, sink } = setup();
    pb.add({
      commandId: 'prog',
      broadcastId: 'P',
      priority: 150,
      expiresAt: Date.now() + 60_000,
      media: media(5000),
    });
    pb.markReady('prog', '/f/p');
    await vi.advanceTimersByTimeAsync(1000);
    pb.add({
      commandId: 'red',
      broadcastId: 'R',
      priority: 250,
      expiresAt: Date.now() + 60_000,
      media: media(500),
      volume: 100,
    });
    pb.markReady('red', '/f/r');
    expect(pb.playing()?.item.commandId).toBe('red');
    expect(outcomes).toContainEqual(['prog', 'cancelled', 'preempted']);
    await vi.advanceTimersByTimeAsync(500);
    expect(outcomes.at(-1)).toEqual(['red', 'played', undefined]);
    expect(sink.records[0]?.aborted).toBe(true);
    expect(sink.records[1]?.volume).toBe(100);
    vi.useRealTimers();
  });

  it('expires a waiting item when its command expires, and honours startAt', async () => {
    const { pb, outcomes } = setup();
    const t0 = Date.now();
    pb.add({
      commandId: 'long',
      broadcastId: 'L',
      priority: 150,
      expiresAt: t0 + 60_000,
      media: media(10_000),
    });
    pb.markReady('long', '/f/l');
    pb.add({ commandId: 'short', broadcastId: 'S', priority: 150, expiresAt: t0 + 3000, media: media(100) });
    pb.markReady('short', '/f/s');
    pb.add({
      commandId: 'timed',
      broadcastId: 'T',
      priority: 200,
      expiresAt: t0 + 60_000,
      startAt: t0 + 20_000,
      media: media(100),
    });
    pb.markReady('timed', '/f/t');
    await vi.advanceTimersByTimeAsync(3001);
    expect(outcomes).toContainEqual(['short', 'failed', 'expired']);
    await vi.advanceTimersByTimeAsync(7000);
    expect(pb.playing()).toBeNull();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(pb.playing()?.item.commandId).toBe('timed');
    expect(pb.playing()?.startedAt).toBe(t0 + 20_000);
    vi.useRealTimers();
  });

  it('stop cancels a broadcast whether waiting or playing', async () => {
    const { pb, outcomes } = setup();
    pb.add({
      commandId: 'a',
      broadcastId: 'X',
      priority: 150,
      expiresAt: Date.now() + 60_000,
      media: media(5000),
    });
    pb.add({
      commandId: 'b',
      broadcastId: 'X',
      priority: 150,
      expiresAt: Date.now() + 60_000,
      media: media(5000),
    });
    pb.markReady('a', '/f/a');
    expect(pb.stop('X')).toBe(2);
    expect(outcomes.filter((o) => o[1] === 'cancelled')).toEqual([
      ['b', 'cancelled', 'stopped'],
      ['a', 'cancelled', 'stopped'],
    ]);
    expect(pb.playing()).toBeNull();
    vi.useRealTimers();
  });

  it('a failing player reports player-failed', async () => {
    vi.useFakeTimers();
    const outcomes: string[] = [];
    const pb = new Playback({
      player: { check: () => null, play: () => Promise.reject(new Error('boom')) },
      now: Date.now,
      timers: realTimers,
      volume: () => 50,
      onOutcome: (o) => outcomes.push(`${o.kind}:${'reason' in o ? o.reason : ''}`),
      onChange: () => {},
    });
    pb.add({
      commandId: 'a',
      broadcastId: 'A',
      priority: 150,
      expiresAt: Date.now() + 60_000,
      media: media(100),
    });
    pb.markReady('a', '/f/a');
    await vi.advanceTimersByTimeAsync(0);
    expect(outcomes).toEqual(['waiting:', 'playing:', 'failed:player-failed']);
    vi.useRealTimers();
  });

  it("starts the player before reporting playing (the report is fsync'd, the start must not wait)", async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const sink = new SilentSink({ timers: realTimers, now: Date.now });
    const seen: Array<[string, number]> = [];
    const pb = new Playback({
      player: sink,
      now: Date.now,
      timers: realTimers,
      volume: () => 50,
      onOutcome: (o) => seen.push([o.kind, sink.records.length]),
      onChange: () => {},
    });
    pb.add({
      commandId: 'a',
      broadcastId: 'A',
      priority: 150,
      expiresAt: Date.now() + 60_000,
      media: media(100),
    });
    pb.markReady('a', '/f/a');
    expect(seen).toEqual([
      ['waiting', 0],
      ['playing', 1],
    ]);
    vi.useRealTimers();
  });

  it('refuses a programme inside quiet hours but plays an emergency; a schedule entry that waited too long is missed', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const outcomes: Array<[string, string, string?]> = [];
    const t0 = Date.now();
    const pb = new Playback({
      player: new SilentSink({ timers: realTimers, now: Date.now }),
      now: Date.now,
      timers: realTimers,
      volume: () => 50,
      quiet: () => [{ from: t0, until: t0 + 60_000 }],
      onOutcome: (o) => outcomes.push([o.item.commandId, o.kind, 'reason' in o ? o.reason : undefined]),
      onChange: () => {},
    });
    pb.add({
      commandId: 'prog',
      broadcastId: 'P',
      priority: 150,
      expiresAt: t0 + 600_000,
      media: media(100),
    });
    pb.markReady('prog', '/f/p');
    pb.add({
      commandId: 'yellow',
      broadcastId: 'Y',
      priority: 230,
      expiresAt: t0 + 600_000,
      media: media(100),
    });
    pb.markReady('yellow', '/f/y');
    expect(outcomes).toContainEqual(['prog', 'failed', 'quiet-hours']);
    expect(outcomes).toContainEqual(['yellow', 'playing', undefined]);
    await vi.advanceTimersByTimeAsync(100);
    expect(outcomes.at(-1)).toEqual(['yellow', 'played', undefined]);

    pb.add({
      commandId: 'long',
      broadcastId: 'L',
      priority: 240,
      expiresAt: t0 + 600_000,
      media: media(10_000),
    });
    pb.markReady('long', '/f/l');
    pb.add({
      commandId: 'entry',
      broadcastId: 'E',
      priority: 150,
      startAt: t0 + 2000,
      expiresAt: t0 + 3000,
      media: media(100),
      source: 'schedule',
    });
    pb.markReady('entry', '/f/e');
    await vi.advanceTimersByTimeAsync(3001);
    expect(outcomes).toContainEqual(['entry', 'failed', 'missed']);
    vi.useRealTimers();
  });

  it('with defer, reports a start after other work due at that instant, keeping the order of reports', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const later: Array<() => void> = [];
    const seen: string[] = [];
    const pb = new Playback({
      player: new SilentSink({ timers: realTimers, now: Date.now }),
      now: Date.now,
      timers: realTimers,
      volume: () => 50,
      defer: (fn) => later.push(fn),
      onOutcome: (o) => seen.push(`${o.item.commandId}:${o.kind}`),
      onChange: () => seen.push('journal'),
    });
    pb.add({
      commandId: 'a',
      broadcastId: 'A',
      priority: 150,
      expiresAt: Date.now() + 60_000,
      media: media(100),
    });
    pb.markReady('a', '/f/a');
    expect(pb.playing()?.item.commandId).toBe('a');
    expect(seen).toEqual(['journal', 'a:waiting', 'journal']); // started, not yet reported
    expect(pb.stop('A')).toBe(1); // a later call reports what is pending first
    expect(seen.slice(3)).toEqual(['a:playing', 'journal', 'a:cancelled', 'journal']);
    for (const fn of later.splice(0)) fn(); // nothing left to report
    expect(seen).toHaveLength(7);
    vi.useRealTimers();
  });

  it('an alert starts its attention tone before any report, runs its sequence, and stops at its cutAt', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const later: Array<() => void> = [];
    const seen: string[] = [];
    const sink = new SilentSink({
      timers: realTimers,
      now: Date.now,
      onStart: (r) => seen.push(`start:${r.part}`),
    });
    const pb = new Playback({
      player: sink,
      now: Date.now,
      timers: realTimers,
      volume: () => 50,
      defer: (fn) => later.push(fn),
      sequence: alertSequence({ player: sink, timers: realTimers, file: async (m) => `/f/${m.durationMs}` }),
      onOutcome: (o) => seen.push(`${o.kind}${o.kind === 'playing' ? `:${o.phase ?? 'attention'}` : ''}`),
      onChange: () => seen.push('journal'),
    });
    const t0 = Date.now();
    pb.add(
      {
        commandId: 'al@1',
        broadcastId: 'al',
        priority: 240,
        expiresAt: t0 + 2000,
        cutAt: t0 + 2000,
        media: media(100),
        volume: 90,
        source: 'alert',
        alert: { alertId: 'al', revision: 1, message: media(1000), repeat: 3, intervalMs: 200 },
      },
      t0,
      '/f/attention',
    );
    expect(seen).toEqual(['start:attention']); // sound first, reports deferred
    for (const fn of later.splice(0)) fn();
    expect(seen.slice(1)).toEqual(['waiting', 'playing:attention', 'journal']);
    await vi.advanceTimersByTimeAsync(100);
    expect(seen.slice(4)).toEqual(['start:message', 'playing:message']);
    await vi.advanceTimersByTimeAsync(2500);
    expect(sink.records.map((r) => [r.part, r.startedAt - t0, r.volume])).toEqual([
      ['attention', 0, 90],
      ['message', 100, 90],
      ['message', 1300, 90],
    ]);
    expect(seen.slice(6)).toEqual(['start:message', 'failed', 'journal']);
    expect(sink.records.at(-1)).toMatchObject({ aborted: true, stoppedAt: t0 + 2000 });
    vi.useRealTimers();
  });
});
