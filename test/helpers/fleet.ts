import { mkdtempSync, writeFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeScheduleWithoutQuietHours } from '../../server/src/demo/demo-schedule.ts';
import { ApiClient } from './api-client.ts';
import { makeTone } from './audio.ts';
import { approvedContent } from './content.ts';
import { eventually, type RunningProcess, startTsProcess } from './processes.ts';

export const ADMIN_PASSWORD = 'test-admin-password-0001';

/** Live broadcasts on the real clock are refused in quiet hours: suites must not depend on the hour they run. */
export const scheduleWithoutQuietHours = writeScheduleWithoutQuietHours;

export interface CentreProcess {
  proc: RunningProcess;
  /** The environment it was started with (beyond the defaults), kept for a restart. */
  env: Record<string, string>;
  dataDir: string;
  httpUrl: string;
  mqttUrl: string;
  api: ApiClient;
}

/** Starts `npm start`'s entry point as a real process on free ports, logged in as admin. */
export async function startCentreProcess(
  dir: string,
  env: Record<string, string> = {},
): Promise<CentreProcess> {
  const dataDir = path.join(dir, 'centre');
  await mkdir(dataDir, { recursive: true });
  const proc = startTsProcess('server/src/main.ts', [], {
    DLB_DATA_DIR: dataDir,
    DLB_HTTP_PORT: '0',
    DLB_HTTP_HOST: '127.0.0.1',
    DLB_MQTT_PORT: '0',
    DLB_ADMIN_PASSWORD: ADMIN_PASSWORD,
    DLB_SCHEDULE_FILE: scheduleWithoutQuietHours(dataDir),
    ...env,
  });
  const m = await proc.waitFor(/已启动: (http:\/\/\S+)\s+\(MQTT (mqtt:\/\/\S+),/, 60_000);
  const api = new ApiClient(m[1]!);
  await api.login('admin', ADMIN_PASSWORD);
  return { proc, env, dataDir, httpUrl: m[1]!, mqttUrl: m[2]!, api };
}

/** Stops the centre and starts it again on the same data and ports, as after a power cut or an upgrade. */
export async function restartCentreProcess(
  centre: CentreProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<CentreProcess> {
  await centre.proc.stop(signal);
  const httpPort = new URL(centre.httpUrl).port;
  const mqttPort = new URL(centre.mqttUrl).port;
  return startCentreProcess(path.dirname(centre.dataDir), {
    ...centre.env,
    DLB_HTTP_PORT: httpPort,
    DLB_MQTT_PORT: mqttPort,
  });
}

export interface AgentProcess {
  tid: string;
  configFile: string;
  dataDir: string;
  proc: RunningProcess;
  restart: () => Promise<void>;
}

/** Registers a terminal through the API and runs the real agent CLI for it with the silent sink. */
export async function startAgentProcess(
  centre: CentreProcess,
  dir: string,
  villageCode: string,
): Promise<AgentProcess> {
  const { terminal, agentConfig } = await centre.api.call<{
    terminal: { id: string };
    agentConfig: Record<string, unknown>;
  }>('POST', '/api/terminals', { villageCode });
  const agentDir = path.join(dir, `agent-${terminal.id}`);
  await mkdir(agentDir, { recursive: true });
  const configFile = path.join(agentDir, 'agent.json');
  const dataDir = path.join(agentDir, 'data');
  writeFileSync(
    configFile,
    JSON.stringify(
      { ...agentConfig, dataDir, player: { kind: 'silent' }, reconnect: { minMs: 200, maxMs: 2000 } },
      null,
      2,
    ),
  );
  const agent: AgentProcess = {
    tid: terminal.id,
    configFile,
    dataDir,
    proc: startTsProcess('edge-agent/src/main.ts', ['--config', configFile], {}),
    restart: async () => {
      await agent.proc.stop();
      agent.proc = startTsProcess('edge-agent/src/main.ts', ['--config', configFile], {});
    },
  };
  return agent;
}

export function tempDir(prefix: string): { dir: string; cleanup: () => Promise<void> } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Waits until the centre reports every given terminal online. */
export async function waitOnline(centre: CentreProcess, tids: string[], timeoutMs = 30_000): Promise<void> {
  await eventually(
    async () => {
      const { terminals } = await centre.api.call<{ terminals: Array<{ id: string; online: boolean }> }>(
        'GET',
        '/api/terminals',
      );
      return tids.every((tid) => terminals.find((t) => t.id === tid)?.online);
    },
    timeoutMs,
    `terminals online: ${tids.join(', ')}`,
  );
}

/** Makes a tone with ffmpeg and uploads it through the API. */
/** Uploads a tone and takes it through review, so it may be broadcast or scheduled. */
export async function uploadTone(centre: { api: ApiClient }, dir: string, seconds: number): Promise<Media> {
  const wav = path.join(dir, `tone-${seconds}s-${Date.now()}.wav`);
  makeTone(wav, seconds);
  const { media } = await centre.api.upload(wav);
  return {
    ...media,
    contentId: await approvedContent(centre.api, media.sha256, { title: `测试音 ${seconds} 秒` }),
  };
}

export interface Media {
  sha256: string;
  durationMs: number;
  bytes: number;
  /** The approved content item that plays it. */
  contentId: string;
}

export interface TargetOutcome {
  terminalId: string;
  outcome: number;
  startedAt: number;
  endedAt: number;
}

/** Waits until every target of a broadcast has reached outcome 3 (played); returns the outcomes. */
export function waitAllPlayed(
  centre: CentreProcess,
  broadcastId: string,
  timeoutMs = 30_000,
): Promise<TargetOutcome[]> {
  return eventually(
    async () => {
      const r = await centre.api.call<{ outcomes: TargetOutcome[] }>('GET', `/api/broadcasts/${broadcastId}`);
      return r.outcomes.length > 0 && r.outcomes.every((o) => o.outcome === 3) ? r.outcomes : null;
    },
    timeoutMs,
    `broadcast ${broadcastId} played everywhere`,
  );
}
