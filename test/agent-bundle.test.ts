import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAgentBundle } from '../edge-agent/build/bundle.ts';
import type { Centre } from '../server/src/centre.ts';
import type { ApiClient } from './helpers/api-client.ts';
import { makeTone } from './helpers/audio.ts';
import { approvedContent } from './helpers/content.ts';
import { tempDir } from './helpers/fleet.ts';
import { startInProcessCentre } from './helpers/in-process-centre.ts';
import { eventually } from './helpers/processes.ts';

describe('the single-file agent for boards (npm run build:agent) plays a broadcast with plain node', () => {
  const tmp = tempDir('dlb-bundle-');
  let centre: Centre;
  let api: ApiClient;
  const bundle = path.join(tmp.dir, 'dlb-agent.mjs');
  let child: ReturnType<typeof spawn> | null = null;

  beforeAll(async () => {
    ({ centre, api } = await startInProcessCentre(tmp.dir));
    await buildAgentBundle(bundle);
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await centre?.stop();
    await tmp.cleanup();
  });

  it('connects, downloads, plays and reports from the bundle', async () => {
    const { terminal, agentConfig } = await api.call<{ terminal: { id: string }; agentConfig: object }>(
      'POST',
      '/api/terminals',
      {
        villageCode: '450323201200',
      },
    );
    const configFile = path.join(tmp.dir, 'agent.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        ...agentConfig,
        dataDir: path.join(tmp.dir, 'agent-data'),
        player: { kind: 'silent' },
      }),
    );
    // No tsx, no node_modules next to it: exactly what a board runs.
    child = spawn(process.execPath, ['--max-old-space-size=48', bundle, '--config', configFile], {
      cwd: tmp.dir,
      stdio: 'ignore',
    });
    await eventually(
      async () =>
        (await api.call<{ terminal: { online: boolean } }>('GET', `/api/terminals/${terminal.id}`)).terminal
          .online,
      20_000,
      'bundled agent online',
    );

    const wav = path.join(tmp.dir, 'tone.wav');
    makeTone(wav, 1);
    const { media } = await api.upload(wav);
    const { broadcast } = await api.call<{ broadcast: { id: string } }>('POST', '/api/broadcasts', {
      contentId: await approvedContent(api, media.sha256),
      target: { kind: 'area', code: '450323201' },
    });
    const outcome = await eventually(
      async () => {
        const r = await api.call<{
          outcomes: Array<{ outcome: number; startedAt: number; endedAt: number }>;
        }>('GET', `/api/broadcasts/${broadcast.id}`);
        return r.outcomes[0]?.outcome === 3 ? r.outcomes[0] : null;
      },
      20_000,
      'played by the bundled agent',
    );
    expect(outcome.endedAt - outcome.startedAt).toBeGreaterThanOrEqual(media.durationMs - 100);
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]);
    console.log(`bundled agent RSS after one broadcast: ${(rssKb / 1024).toFixed(0)} MB`);
    expect(rssKb).toBeGreaterThan(0);
  });
});
