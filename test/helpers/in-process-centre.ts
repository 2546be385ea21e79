import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Role } from '../../server/src/auth/roles.ts';
import { Centre, type CentreOptions } from '../../server/src/centre.ts';
import { type ConfigInput, loadConfig, mergeConfig } from '../../server/src/config.ts';
import { ApiClient } from './api-client.ts';
import { ADMIN_PASSWORD, scheduleWithoutQuietHours } from './fleet.ts';

/** A whole centre inside the test process (real SQLite, broker, HTTP) on free ports, logged in as admin. */
export async function startInProcessCentre(
  dir: string,
  overrides: ConfigInput = {},
  opts: CentreOptions = {},
): Promise<{ centre: Centre; api: ApiClient }> {
  const dataDir = path.join(dir, 'centre');
  mkdirSync(dataDir, { recursive: true });
  const base: ConfigInput = {
    dataDir,
    schedule: { file: scheduleWithoutQuietHours(dataDir) },
    http: { host: '127.0.0.1', port: 0 },
    mqtt: { host: '127.0.0.1', port: 0 },
    auth: { adminPassword: ADMIN_PASSWORD },
  };
  const config = loadConfig({ env: {}, cwd: dir, overrides: mergeConfig(base, overrides) as ConfigInput });
  const centre = new Centre(config, { log: () => {}, announce: () => {}, ...opts });
  await centre.start();
  const api = new ApiClient(centre.httpUrl);
  await api.login('admin', ADMIN_PASSWORD);
  return { centre, api };
}

/** Creates each `[username, role, scopeCode]` account with `password`; returns a logged-in client per username. */
export async function loggedInStaff(
  centre: Centre,
  users: ReadonlyArray<readonly [string, Role, string | null]>,
  password: string,
): Promise<Record<string, ApiClient>> {
  const clients: Record<string, ApiClient> = {};
  for (const [username, role, scopeCode] of users) {
    await centre.services.users.create({
      username,
      displayName: username,
      password,
      roles: [{ role, scopeCode }],
    });
    clients[username] = new ApiClient(centre.httpUrl);
    await clients[username].login(username, password);
  }
  return clients;
}

/** Registers `perTownship` terminals in the first village of each township; their ids by township. */
export function registerTerminals(centre: Centre, townships: readonly string[], perTownship: number) {
  const areas = centre.services.areas.list();
  const ids: Record<string, string[]> = {};
  for (const code of townships) {
    const village = areas.find((a) => a.parentCode === code)!.code;
    ids[code] = Array.from(
      { length: perTownship },
      () => centre.services.terminals.register({ villageCode: village }).terminal.id,
    );
  }
  return ids;
}
