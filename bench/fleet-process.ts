/**
 * One slice of a benchmark's simulated fleet, in its own process: the agents registered in `<dataDir>/sim-terminals.json`
 * (the parent writes one store per slice), driven over IPC by bench/fleet-pool.ts. Every instant it reports is
 * the host clock (Date.now), which all processes on this machine share.
 */
import { type RunningSimulator, runSimulator } from '@dlb/edge-agent';
import { cacheHas, limitFetch } from './emergency-util.ts';
import type { FleetReply, FleetRequest } from './fleet-pool.ts';
import { processProfile } from './process-profile.ts';

let sim: RunningSimulator | null = null;
const profile = processProfile('fleet');

function send(reply: FleetReply): void {
  process.send?.(reply);
}

async function handle(req: FleetRequest): Promise<FleetReply> {
  switch (req.type) {
    case 'start': {
      limitFetch(req.fetchLimit);
      sim = await runSimulator({
        count: req.count,
        server: req.server,
        username: req.username,
        password: req.password,
        dataDir: req.dataDir,
        startBatch: 100,
        shareSignatureChecks: req.shareSignatureChecks,
        reportDelayMs: req.reportDelayMs,
        print: (l) => {
          if (/警告|错误|失败/.test(l)) console.log(`    sim ${req.slice}: ${l}`);
        },
      });
      return { type: 'started', id: req.id };
    }
    case 'status': {
      const agents = sim?.agents ?? [];
      let ready = 0;
      let attentionSha = '';
      for (const a of agents) {
        const att = a.target?.body.attention;
        if (att && cacheHas(a, att.sha256)) {
          ready++;
          attentionSha = att.sha256;
        }
      }
      // Versions are epoch-ms based: their low digits change with every new target.
      const targetActivity = agents.reduce((sum, a) => sum + ((a.target?.body.version ?? 0) % 1_000_000), 0);
      return {
        type: 'status',
        id: req.id,
        connected: sim?.connectedCount() ?? 0,
        ready,
        attentionSha,
        targetActivity,
      };
    }
    case 'attention': {
      const starts = sim ? [...sim.attention.firstBy(req.alertId).entries()] : [];
      const t = sim?.tallies.get(req.alertId);
      return {
        type: 'attention',
        id: req.id,
        starts,
        tally: t ? { ...t } : { received: 0, played: 0, failed: 0, cancelled: 0 },
      };
    }
    case 'profile': {
      await (req.on ? profile.start() : profile.stop());
      return { type: 'profiled', id: req.id };
    }
    case 'stop': {
      await sim?.stop();
      sim = null;
      return { type: 'stopped', id: req.id };
    }
  }
}

process.on('message', (req: FleetRequest) => {
  handle(req).then(send, (e: unknown) =>
    send({ type: 'error', id: req.id, message: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
  );
});
process.on('disconnect', () => {
  void (sim?.stop() ?? Promise.resolve()).finally(() => process.exit(0));
});
