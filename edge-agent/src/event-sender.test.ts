import { MAX_PAYLOAD_BYTES, type TerminalEvent } from '@dlb/protocol';
import { describe, expect, it } from 'vitest';
import { takeBatch } from './event-sender.ts';

const ev = (seq: number, detail = ''): TerminalEvent => ({
  type: 'rejected',
  seq,
  at: 1,
  reason: 'bad-signature',
  topic: 'dlb/v1/terminal/x/cmd',
  ...(detail ? { detail } : {}),
});

describe('takeBatch', () => {
  it('takes at most 200 events', () => {
    const events = Array.from({ length: 450 }, (_, i) => ev(i + 1));
    expect(takeBatch(events)).toHaveLength(200);
  });

  it('keeps a message under the payload limit', () => {
    const events = Array.from({ length: 200 }, (_, i) => ev(i + 1, 'x'.repeat(500)));
    const batch = takeBatch(events);
    expect(batch.length).toBeLessThan(200);
    expect(Buffer.byteLength(JSON.stringify({ events: batch }))).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
  });
});
