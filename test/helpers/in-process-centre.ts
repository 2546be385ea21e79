import { mkdirSync } from 'node:fs';
import path from 'node:path';
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
