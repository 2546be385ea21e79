import { PassThrough } from 'node:stream';
import { MAX_PAYLOAD_BYTES, topics } from '@dlb/protocol';
import { describe, expect, it } from 'vitest';
import { terminalMayPublish, terminalMaySubscribe } from './acl.ts';
import { filterToRegExp } from './external-link.ts';
import { PacketSizeGuard } from './packet-size-guard.ts';

const A = '64503231012000301000100';
const B = '64503231042000301000100';
const accessA = { areaChain: ['450323', '450323101', '450323101200'], groups: ['flood'] };

describe('terminal ACL rules', () => {
  it('allows exactly its own topics and its chain', () => {
    for (const t of [
      topics.terminalCmd(A),
      topics.terminalTarget(A),
      topics.terminalAck(A),
      topics.areaCmd('450323'),
      topics.areaCmd('450323101'),
      topics.areaCmd('450323101200'),
      topics.groupCmd('flood'),
    ]) {
      expect(terminalMaySubscribe(A, accessA, t), t).toBe(true);
    }
    for (const t of [
      topics.terminalCmd(B),
      topics.areaCmd('450323104'),
      topics.groupCmd('other'),
      'dlb/v1/#',
      'dlb/v1/terminal/+/cmd',
      topics.terminalState(A),
      '#',
    ]) {
      expect(terminalMaySubscribe(A, accessA, t), t).toBe(false);
    }
  });

  it('lets a terminal publish only its own state and events, within size, retaining only state', () => {
    expect(terminalMayPublish(A, topics.terminalState(A), 100, true).ok).toBe(true);
    expect(terminalMayPublish(A, topics.terminalEvents(A), 100, false).ok).toBe(true);
    expect(terminalMayPublish(A, topics.terminalEvents(A), 100, true).ok).toBe(false);
    expect(terminalMayPublish(A, topics.terminalState(B), 100, true).ok).toBe(false);
    expect(terminalMayPublish(A, topics.terminalCmd(A), 100, false).ok).toBe(false);
    expect(terminalMayPublish(A, topics.areaCmd('450323'), 100, false).ok).toBe(false);
    expect(terminalMayPublish(A, topics.terminalEvents(A), MAX_PAYLOAD_BYTES + 1, false).ok).toBe(false);
  });

  it('maps MQTT filters to topic matchers', () => {
    expect(filterToRegExp('dlb/v1/terminal/+/events').test(topics.terminalEvents(A))).toBe(true);
    expect(filterToRegExp('dlb/v1/terminal/+/events').test(topics.terminalState(A))).toBe(false);
    expect(filterToRegExp('dlb/#').test('dlb/v1/x/y')).toBe(true);
  });
});

describe('MQTT packet size guard', () => {
  const run = (bytes: Buffer[], max: number) =>
    new Promise<{ error: Error | null; passed: number }>((resolve) => {
      const guard = new PacketSizeGuard(max);
      const sink = new PassThrough();
      let passed = 0;
      sink.on('data', (d: Buffer) => {
        passed += d.length;
      });
      guard.pipe(sink);
      guard.on('error', (e) => resolve({ error: e, passed }));
      guard.on('end', () => resolve({ error: null, passed }));
      for (const b of bytes) guard.write(b);
      guard.end();
      sink.resume();
    });

  it('passes packets within the limit, even split across chunks', async () => {
    const pkt = Buffer.concat([Buffer.from([0x30, 0x05]), Buffer.from('abcde')]);
    const r = await run(
      [pkt.subarray(0, 1), pkt.subarray(1, 3), pkt.subarray(3), Buffer.from([0xc0, 0x00])],
      100,
    );
    expect(r.error).toBeNull();
    expect(r.passed).toBe(pkt.length + 2);
  });

  it('fails as soon as a packet announces more than the limit (multi-byte length)', async () => {
    // remaining length 200000 = 0xC0 0x9A 0x0C
    const r = await run([Buffer.from([0x30, 0xc0, 0x9a, 0x0c])], 65_536);
    expect(r.error?.message).toMatch(/exceeds limit/);
    expect(r.passed).toBe(0);
  });

  it('rejects a malformed 5-byte remaining length', async () => {
    const r = await run([Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x01])], 1 << 30);
    expect(r.error?.message).toMatch(/malformed/);
  });
});
