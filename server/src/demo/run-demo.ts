import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { runSimulator } from '@dlb/edge-agent';
import { Actor } from '../auth/actor.ts';
import { generatePassword } from '../auth/passwords.ts';
import { Centre } from '../centre.ts';
import { loadConfig } from '../config.ts';
import { loadOrCreateSecret } from '../secrets.ts';
import { makeDemoChime } from './demo-audio.ts';
import { writeScheduleWithoutQuietHours } from './demo-schedule.ts';

/** Takes the demo audio through the gates: the admin writes and submits it, a demo reviewer approves it. */
async function reviewedDemoItem(centre: Centre, sha256: string): Promise<string> {
  const { users, areas, content } = centre.services;
  const reviewerName = 'demo-reviewer';
  const byName = (name: string) => {
    const row = centre.db.prepare('SELECT id FROM users WHERE username = ?').get(name) as
      | { id: number }
      | undefined;
    return row ? users.byId(row.id) : null;
  };
  let reviewer = byName(reviewerName);
  reviewer ??= await users.create({
    username: reviewerName,
    displayName: '演示审核员',
    password: generatePassword(),
    roles: [{ role: 'county_reviewer', scopeCode: null }],
  });
  const admin = new Actor(byName('admin')!, areas);
  const county = areas.list().find((a) => a.level === 'county')!;
  const item = content.create({ title: '演示提示音', scopeCode: county.code, mediaSha256: sha256 }, admin);
  content.submit(item.id, admin);
  content.approve(item.id, new Actor(reviewer, areas));
  return item.id;
}

/**
 * `npm run demo`: the centre with the sample county (灵川县, 12 townships), three simulated terminals per
 * township (DLB_DEMO_PER_TOWNSHIP), and a first broadcast to 大圩镇 then to the whole county, with progress.
 */
async function main(): Promise<void> {
  const env = process.env;
  const dataDir = path.resolve(env.DLB_DATA_DIR ?? './data/demo');
  const password = env.DLB_ADMIN_PASSWORD ?? loadOrCreateSecret(dataDir, 'demo-admin-password');
  mkdirSync(dataDir, { recursive: true });
  // The demo must sound at any hour: unless a schedule file is given, quiet hours are left out.
  const scheduleFile = env.DLB_SCHEDULE_FILE ?? writeScheduleWithoutQuietHours(dataDir);
  const config = loadConfig({
    env: { ...env, DLB_DATA_DIR: dataDir, DLB_ADMIN_PASSWORD: password, DLB_SCHEDULE_FILE: scheduleFile },
  });
  const centre = new Centre(config, { announce: () => {} });
  await centre.start();
  const base = centre.httpUrl;
  console.log(`\n大喇叭演示：控制中心 ${base}（MQTT ${centre.mqttUrl}）\n管理员 admin，密码 ${password}\n`);

  const perTownship = Number(env.DLB_DEMO_PER_TOWNSHIP ?? 3);
  const townships = centre.services.areas.list().filter((a) => a.level === 'township');
  const sims: Array<Awaited<ReturnType<typeof runSimulator>>> = [];
  for (const t of townships) {
    sims.push(
      await runSimulator({
        count: perTownship,
        server: base,
        username: 'admin',
        password,
        township: t.code,
        dataDir: path.join(dataDir, 'sim', t.code),
        print: () => {},
        printEveryMs: 60_000,
      }),
    );
    console.log(`  ${t.name}: ${perTownship} 个模拟终端已启动`);
  }
  const total = sims.reduce((n, s) => n + s.agents.length, 0);
  const waitOnline = Date.now();
  while (sims.reduce((n, s) => n + s.connectedCount(), 0) < total && Date.now() - waitOnline < 30_000) {
    await new Promise((r) => setTimeout(r, 200));
  }
  console.log(`${total} 个模拟终端在线\n`);

  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  const { token } = (await login.json()) as { token: string };
  const auth = { authorization: `Bearer ${token}` };

  const chime = path.join(dataDir, 'demo-chime.wav');
  await makeDemoChime(centre.services.ffmpeg.ffmpeg, chime);
  const form = new FormData();
  form.append('file', new Blob([await readFile(chime)]), '演示提示音.wav');
  const up = (await (
    await fetch(`${base}/api/media`, { method: 'POST', headers: auth, body: form })
  ).json()) as {
    media: { sha256: string; durationMs: number };
  };
  console.log(`已上传演示音频（${(up.media.durationMs / 1000).toFixed(1)} 秒，已响度归一化）`);
  const contentId = await reviewedDemoItem(centre, up.media.sha256);
  console.log('演示内容已提交并由演示审核员审核通过');

  for (const [label, target] of [
    ['大圩镇', { kind: 'area', code: '450323101' }],
    ['全县', { kind: 'county' }],
  ] as const) {
    const t0 = Date.now();
    const res = await fetch(`${base}/api/broadcasts`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ contentId, target, title: `演示播发：${label}` }),
    });
    const { broadcast } = (await res.json()) as { broadcast: { id: string; total: number } };
    console.log(`\n播发到${label}（${broadcast.total} 个终端）…`);
    let last = '';
    for (;;) {
      const r = (await (await fetch(`${base}/api/broadcasts/${broadcast.id}`, { headers: auth })).json()) as {
        broadcast: { summary: Record<string, number> };
      };
      const s = r.broadcast.summary;
      const line = `  等待 ${s[1]}  播放中 ${s[2]}  已播放 ${s[3]}  失败 ${s[4]}`;
      if (line !== last) console.log(line);
      last = line;
      if ((s[3] ?? 0) + (s[4] ?? 0) + (s[5] ?? 0) >= broadcast.total) break;
      if (Date.now() - t0 > 60_000) break;
      await new Promise((r2) => setTimeout(r2, 250));
    }
    const lastEnd = centre.db
      .prepare('SELECT MAX(updated_at) AS t FROM broadcast_targets WHERE broadcast_id = ? AND outcome = 3')
      .get(broadcast.id) as { t: number | null };
    if (lastEnd.t !== null)
      console.log(
        `  从调用接口到最后一个"已播放"回传：${lastEnd.t - t0} ms（音频本身 ${up.media.durationMs} ms）`,
      );
    const failures = centre.db
      .prepare(
        `SELECT reason, COUNT(*) AS n FROM broadcast_targets WHERE broadcast_id = ? AND outcome = 4 GROUP BY reason`,
      )
      .all(broadcast.id) as Array<{ reason: string | null; n: number }>;
    for (const f of failures) console.log(`  失败原因 ${f.reason ?? '未知'}：${f.n} 个终端`);
  }
  console.log(`\n演示继续运行。API 文档：${base}/api/openapi.json  按 Ctrl+C 退出。`);

  const stop = async () => {
    for (const s of sims) await s.stop();
    await centre.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  console.error(`演示启动失败: ${(e as Error).message}`);
  process.exit(1);
});
