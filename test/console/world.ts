import path from 'node:path';
import { type RunningSimulator, runSimulator } from '@dlb/edge-agent';
import type { Centre } from '../../server/src/centre.ts';
import type { ConfigInput } from '../../server/src/config.ts';
import type { ApiClient } from '../helpers/api-client.ts';
import { ADMIN_PASSWORD } from '../helpers/fleet.ts';
import { startInProcessCentre } from '../helpers/in-process-centre.ts';
import { eventually } from '../helpers/processes.ts';

/** 大圩镇 and 潭下镇 of the sample county (灵川县). */
export const DAXU = '450323101';
export const TANXIA = '450323104';
export const COUNTY = '450323';

export const PASSWORD = 'console-test-password-01';

/** One account per kind of console user. */
export const PEOPLE = {
  admin: { username: 'admin', password: ADMIN_PASSWORD, roles: [] },
  operator: {
    username: 'operator',
    displayName: '县编播员小李',
    roles: [{ role: 'county_operator', scopeCode: null }],
  },
  reviewer: {
    username: 'reviewer',
    displayName: '县审核员老王',
    roles: [{ role: 'county_reviewer', scopeCode: null }],
  },
  township: {
    username: 'daxu.clerk',
    displayName: '大圩镇文书',
    roles: [{ role: 'township_operator', scopeCode: DAXU }],
  },
  officer: {
    username: 'officer',
    displayName: '应急值守员',
    roles: [{ role: 'emergency_officer', scopeCode: null }],
  },
  auditor: { username: 'auditor', displayName: '审计员', roles: [{ role: 'auditor', scopeCode: null }] },
} as const;
export type Person = keyof typeof PEOPLE;

export const passwordOf = (p: Person) => (p === 'admin' ? ADMIN_PASSWORD : PASSWORD);

export interface ConsoleWorld {
  centre: Centre;
  api: ApiClient;
  url: string;
  /** Simulated terminals by township. */
  terminals: Record<string, string[]>;
  stop(): Promise<void>;
}

const quiet = { info() {}, warn() {}, error() {} };

/**
 * A real centre (in this process, real SQLite, broker and HTTP serving the built console) with the sample
 * county, one account per kind of user, and simulated terminals in two townships (silent players): two in
 * 大圩镇 (one chosen for drills), one in 潭下镇, all with coordinates.
 */
export async function startConsoleWorld(
  dir: string,
  opts: { perTownship?: Record<string, number>; overrides?: ConfigInput } = {},
): Promise<ConsoleWorld> {
  const { centre, api } = await startInProcessCentre(dir, opts.overrides ?? {});
  const sims: RunningSimulator[] = [];
  try {
    for (const [key, person] of Object.entries(PEOPLE)) {
      if (key === 'admin') continue;
      await api.call('POST', '/api/users', {
        username: person.username,
        displayName: (person as { displayName: string }).displayName,
        password: PASSWORD,
        roles: person.roles,
        mustChangePassword: false,
      });
    }
    const per = opts.perTownship ?? { [DAXU]: 2, [TANXIA]: 1 };
    const terminals: Record<string, string[]> = {};
    for (const [township, count] of Object.entries(per)) {
      const sim = await runSimulator({
        count,
        server: centre.httpUrl,
        username: 'admin',
        password: ADMIN_PASSWORD,
        township,
        dataDir: path.join(dir, `sim-${township}`),
        print: () => {},
        agentLog: quiet,
      });
      sims.push(sim);
      terminals[township] = sim.agents.map((a) => a.terminalId);
    }
    const all = Object.values(terminals).flat();
    let i = 0;
    for (const tid of all) {
      await api.call('PUT', `/api/terminals/${tid}/location`, {
        lat: 25.3 + i * 0.04,
        lon: 110.2 + i * 0.05,
      });
      i++;
    }
    const first = terminals[DAXU]?.[0];
    if (first) await api.call('PUT', `/api/terminals/${first}/drill`, { enabled: true });
    await eventually(
      async () => {
        const r = await api.call<{ terminals: Array<{ id: string; online: boolean }> }>(
          'GET',
          '/api/terminals',
        );
        return all.every((tid) => r.terminals.find((t) => t.id === tid)?.online);
      },
      30_000,
      'simulated terminals online',
    );
    return {
      centre,
      api,
      url: centre.httpUrl,
      terminals,
      stop: async () => {
        for (const s of sims) await s.stop().catch(() => {});
        await centre.stop();
      },
    };
  } catch (e) {
    for (const s of sims) await s.stop().catch(() => {});
    await centre.stop();
    throw e;
  }
}
