import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Services } from './api/services.ts';
import { parseAreaJson } from './areas/area-import.ts';
import { generatePassword } from './auth/passwords.ts';

export const SAMPLE_COUNTY_FILE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'data',
  'sample-county.json',
);

/**
 * What an empty centre needs before it serves: the first administrator (no default password: the configured
 * one, or a generated one shown once that must be changed at first login) and, if asked, the sample county.
 */
export async function firstStart(
  s: Pick<Services, 'users' | 'areas' | 'audit' | 'config' | 'log'>,
  announce: (msg: string) => void,
): Promise<void> {
  const { users, areas, config } = s;
  if (users.count() === 0) {
    const password = config.auth.adminPassword ?? generatePassword();
    await users.create({
      username: 'admin',
      displayName: '系统管理员',
      password,
      roles: [{ role: 'county_admin', scopeCode: null }],
      mustChangePassword: !config.auth.adminPassword,
    });
    s.audit.append({
      actor: { kind: 'system' },
      action: 'user.create',
      target: 'user:admin',
      detail: { roles: ['county_admin'], firstStart: true },
    });
    if (!config.auth.adminPassword) {
      announce(
        `首次启动：已创建管理员账号 admin，初始密码 ${password}\n(只显示这一次，请立即记下；也可用环境变量 DLB_ADMIN_PASSWORD 指定)`,
      );
    }
  }
  if (config.sampleCounty && areas.count() === 0) {
    const r = areas.import(parseAreaJson(JSON.parse(readFileSync(SAMPLE_COUNTY_FILE, 'utf8'))));
    s.log(`已导入示例县行政区划：${r.byLevel.township} 个乡镇，${r.byLevel.village} 个村（社区）`);
  }
}
