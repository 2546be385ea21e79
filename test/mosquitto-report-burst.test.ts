/**
 * Every speaker in the county reports at the same moment when an alert sounds. Through a real Mosquitto with
 * the shipped per-client queue (max_queued_messages 200), each of those reports must reach the centre at once:
 * a v3.1.1 session let Mosquitto hold only 20 in flight plus 200 queued for the centre and drop the rest, which
 * then waited for each terminal's re-send timer. Here the "terminals" publish exactly once and never re-send.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AgentConfigInput, EventsMessage } from '@dlb/protocol';
import { topics } from '@dlb/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Centre } from '../server/src/centre.ts';
import { tempDir } from './helpers/fleet.ts';
import { startInProcessCentre } from './helpers/in-process-centre.ts';
import {
  mosquittoFileGroup,
  type RunningMosquitto,
  requireMosquittoOrSkipReason,
  startMosquitto,
} from './helpers/mosquitto.ts';

const skip = requireMosquittoOrSkipReason();
const N = 400;

describe.runIf(!skip)('a burst of terminal reports through Mosquitto', () => {
  const tmp = tempDir('dlb-burst-');
  let broker: RunningMosquitto;
  let centre: Centre;
  const clients: MqttClient[] = [];
  const configs: AgentConfigInput[] = [];

  beforeAll(async () => {
    // Register on a first, embedded start (one store write per terminal is cheap there), then restart
    // against Mosquitto: the centre writes its password and ACL files once.
    const first = await startInProcessCentre(tmp.dir);
    const villages = first.centre.services.areas.list().filter((a) => a.level === 'village');
    for (let i = 0; i < N; i++)
      configs.push(
        first.centre.services.terminals.register({ villageCode: villages[i % villages.length]!.code })
          .agentConfig,
      );
    await first.centre.stop();
    const mqDir = path.join(tmp.dir, 'mosquitto');
    mkdirSync(mqDir, { recursive: true });
    const passwordFile = path.join(mqDir, 'passwd');
    const aclFile = path.join(mqDir, 'acl');
    writeFileSync(passwordFile, '');
    writeFileSync(aclFile, '');
    broker = await startMosquitto({ dir: mqDir, passwordFile, aclFile });
    ({ centre } = await startInProcessCentre(tmp.dir, {
      mqtt: {
        mode: 'external',
        url: broker.url,
        mosquitto: { passwordFile, aclFile, fileGroup: mosquittoFileGroup(), reloadPidFile: broker.pidFile },
      },
    }));
    for (let i = 0; i < configs.length; i += 50)
      clients.push(
        ...(await Promise.all(
          configs.slice(i, i + 50).map((c) =>
            mqtt.connectAsync(broker.url, {
              username: c.mqtt.username,
              password: c.mqtt.password,
              reconnectPeriod: 0,
            }),
          ),
        )),
      );
  }, 120_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
    await centre?.stop();
    await broker?.stop();
    await tmp.cleanup();
  });

  it(`stores all ${N} reports sent at once, each sent only once`, async () => {
    const stored = new Set<string>();
    centre.services.events.onEvents((tid) => stored.add(tid));
    const at = Date.now();
    await Promise.all(
      configs.map((c, i) => {
        const msg: EventsMessage = {
          outbox: `burst-${c.terminalId.slice(-12)}`,
          events: [
            {
              type: 'outcome',
              seq: 1,
              at,
              commandId: 'aburst0000000001@1',
              broadcastId: 'aburst0000000001',
              outcome: 2,
              source: 'alert',
              phase: 'attention',
              startedAt: at,
            },
          ],
        };
        return clients[i]!.publishAsync(topics.terminalEvents(c.terminalId), JSON.stringify(msg), { qos: 1 });
      }),
    );
    const deadline = Date.now() + 20_000;
    while (stored.size < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(stored.size).toBe(N);
  });
});
