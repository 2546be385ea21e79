import { writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { topics } from '@dlb/protocol';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTone } from './helpers/audio.ts';
import { approvedContent } from './helpers/content.ts';
import {
  type AgentProcess,
  type CentreProcess,
  startAgentProcess,
  startCentreProcess,
  tempDir,
  waitAllPlayed,
  waitOnline,
} from './helpers/fleet.ts';
import {
  mosquittoFileGroup,
  type RunningMosquitto,
  requireMosquittoOrSkipReason,
  startMosquitto,
} from './helpers/mosquitto.ts';
import { eventually } from './helpers/processes.ts';

const skip = requireMosquittoOrSkipReason();
if (skip) console.warn(`跳过 Mosquitto 端到端测试: ${skip}`);

describe.runIf(!skip)(
  'the same broadcast flow against a real Mosquitto with server-written password/ACL files',
  () => {
    const tmp = tempDir('dlb-mosq-');
    let broker: RunningMosquitto;
    let centre: CentreProcess;
    let contentId: string;
    const agents: AgentProcess[] = [];
    let spare: { tid: string; password: string };

    beforeAll(async () => {
      const mqDir = path.join(tmp.dir, 'mosquitto');
      await mkdir(mqDir, { recursive: true });
      const passwordFile = path.join(mqDir, 'passwd');
      const aclFile = path.join(mqDir, 'acl');
      writeFileSync(passwordFile, '');
      writeFileSync(aclFile, '');
      broker = await startMosquitto({ dir: mqDir, passwordFile, aclFile });
      const configFile = path.join(tmp.dir, 'dlb.config.json');
      writeFileSync(
        configFile,
        JSON.stringify({
          mqtt: {
            mode: 'external',
            url: broker.url,
            mosquitto: {
              passwordFile,
              aclFile,
              fileGroup: mosquittoFileGroup(),
              reloadPidFile: broker.pidFile,
            },
          },
        }),
      );
      centre = await startCentreProcess(tmp.dir, { DLB_CONFIG: configFile });
      for (const v of ['450323101200', '450323101201', '450323104200'])
        agents.push(await startAgentProcess(centre, tmp.dir, v));
      const reg = await centre.api.call<{
        terminal: { id: string };
        agentConfig: { mqtt: { password: string } };
      }>('POST', '/api/terminals', {
        villageCode: '450323104201',
      });
      spare = { tid: reg.terminal.id, password: reg.agentConfig.mqtt.password };
      await waitOnline(
        centre,
        agents.map((a) => a.tid),
        40_000,
      );
    });

    afterAll(async () => {
      await Promise.all(agents.map((a) => a.proc.stop()));
      await centre?.proc.stop();
      await broker?.stop();
      await tmp.cleanup();
    });

    it('a township broadcast plays on its terminals only', async () => {
      const wav = path.join(tmp.dir, 'notice.wav');
      makeTone(wav, 1.5);
      const { media } = await centre.api.upload(wav);
      contentId = await approvedContent(centre.api, media.sha256);
      const { broadcast } = await centre.api.call<{ broadcast: { id: string; total: number } }>(
        'POST',
        '/api/broadcasts',
        {
          contentId,
          target: { kind: 'area', code: '450323101' },
        },
      );
      expect(broadcast.total).toBe(2);
      const outcomes = await waitAllPlayed(centre, broadcast.id);
      for (const o of outcomes)
        expect(o.endedAt - o.startedAt).toBeGreaterThanOrEqual(media.durationMs - 100);
      const { events } = await centre.api.call<{ events: unknown[] }>(
        'GET',
        `/api/terminals/${agents[2]!.tid}/events`,
      );
      expect(events).toEqual([]);
    });

    it("terminal credentials written by the server cannot read or write another terminal's topics", async () => {
      const target = agents[0]!.tid;
      const client = await mqtt.connectAsync(broker.url, {
        username: spare.tid,
        password: spare.password,
        reconnectPeriod: 0,
      });
      const received: string[] = [];
      client.on('message', (t) => received.push(t));
      // Mosquitto 2.0 grants the SUBACK but never delivers what the ACL denies; prove it with a sentinel on our own topic.
      await client.subscribeAsync([topics.terminalCmd(target), 'dlb/v1/#', topics.terminalCmd(spare.tid)], {
        qos: 1,
      });
      const observer = await mqtt
        .connectAsync(broker.url, { username: agents[0]!.tid, password: 'x', reconnectPeriod: 0 })
        .catch((e: Error) => e);
      expect(observer).toBeInstanceOf(Error); // wrong password refused
      await client.publishAsync(
        topics.terminalState(target),
        JSON.stringify({ status: 3, online: true, at: Date.now() }),
        { qos: 1 },
      );
      // The centre now sends a command to the other terminal, then one to ours (the sentinel).
      await centre.api.call('POST', '/api/broadcasts', {
        contentId,
        target: { kind: 'terminal', tid: target },
      });
      await centre.api.call('POST', '/api/broadcasts', {
        contentId,
        target: { kind: 'terminal', tid: spare.tid },
      });
      await eventually(
        () => received.includes(topics.terminalCmd(spare.tid)),
        10_000,
        'sentinel on own topic',
      );
      await client.endAsync();
      const { terminal } = await centre.api.call<{ terminal: { status: number } }>(
        'GET',
        `/api/terminals/${target}`,
      );
      expect(terminal.status).not.toBe(3);
      // Only its own topics reach it: the sentinel command and its own retained target.
      const own = [topics.terminalCmd(spare.tid), topics.terminalTarget(spare.tid)];
      expect(received.filter((t) => !own.includes(t))).toEqual([]);
      await expect(mqtt.connectAsync(broker.url, { reconnectPeriod: 0 })).rejects.toThrow();
    });
  },
);
