import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { Aedes, type AedesPublishPacket } from 'aedes';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { guardSessionReplay } from './session-replay-guard.ts';

const QUEUED = 50;
const LIVE = 20;

/**
 * A persistent session comes back with QUEUED commands waiting; as it registers, LIVE acknowledgements
 * are published to it in-process (as the centre does when the terminal's reports arrive).
 */
async function reconnectWhileLive(guarded: boolean) {
  const broker = await Aedes.createBroker({});
  if (guarded) guardSessionReplay(broker);
  const server = createServer(broker.handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const errors: string[] = [];
  broker.on('clientError', (_c, e) => errors.push(e.message));
  const session = { clientId: 't1', clean: false, reconnectPeriod: 0, protocolVersion: 4 as const };
  const first = await mqtt.connectAsync(url, session);
  await first.subscribeAsync('t/t1/#', { qos: 1 });
  await first.endAsync();
  const publish = (topic: string, text: string) =>
    new Promise<void>((resolve) =>
      broker.publish(
        {
          cmd: 'publish',
          topic,
          payload: Buffer.from(text),
          qos: 1,
          retain: false,
          dup: false,
        } as AedesPublishPacket,
        () => resolve(),
      ),
    );
  for (let i = 0; i < QUEUED; i++) await publish('t/t1/cmd', `queued ${i}`);
  broker.on('client', (c) => {
    if (c.id === 't1') for (let i = 0; i < LIVE; i++) void publish('t/t1/ack', `live ${i}`);
  });
  const got: string[] = [];
  let closed = false;
  const again = mqtt.connect(url, session);
  again.on('message', (_t, p) => got.push(p.toString()));
  again.on('close', () => {
    closed = true;
  });
  const deadline = Date.now() + 5000;
  while (new Set(got).size < QUEUED + LIVE && !closed && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
  }
  await new Promise((r) => setTimeout(r, 100)); // a late close would show here
  const droppedByBroker = closed;
  await again.endAsync(true);
  await new Promise<void>((r) => broker.close(() => r()));
  await new Promise<void>((r) => server.close(() => r()));
  return { errors, closed: droppedByBroker, got };
}

describe('a persistent session reconnecting while messages are queued for it and live ones arrive', () => {
  it('plain aedes drops the new connection ("no such packet"): the race this guard exists for', async () => {
    const r = await reconnectWhileLive(false);
    expect(r.errors).toContain('no such packet');
    expect(r.closed).toBe(true);
  });

  it('guarded: the connection stays up and every queued and live message arrives', async () => {
    const r = await reconnectWhileLive(true);
    expect(r.errors).toEqual([]);
    expect(r.closed).toBe(false);
    const expected = [
      ...Array.from({ length: QUEUED }, (_, i) => `queued ${i}`),
      ...Array.from({ length: LIVE }, (_, i) => `live ${i}`),
    ];
    expect([...new Set(r.got)].sort()).toEqual(expected.sort());
    // Each live one was delivered live and skipped by the replay, not sent twice.
    expect(r.got.filter((m) => m.startsWith('live'))).toHaveLength(LIVE);
  });
});
