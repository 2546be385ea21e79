import { parseArgs } from 'node:util';
import { errorText } from './runtime.ts';
import { runSimulator } from './simulate.ts';

/**
 * npm run simulate -- --count 100 [--server URL] [--username admin] [--password ...] [--township 9 digits]
 * [--data-dir ./data/sim] [--clock-error-ms E]  (E: each agent's local clock is off by up to ±E ms and syncs itself)
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', short: 'n', default: '10' },
      server: { type: 'string', default: 'http://127.0.0.1:8080' },
      username: { type: 'string', default: 'admin' },
      password: { type: 'string' },
      township: { type: 'string' },
      'data-dir': { type: 'string', default: './data/sim' },
      'clock-error-ms': { type: 'string' },
    },
  });
  const count = Number(values.count);
  if (!Number.isInteger(count) || count < 1) throw new Error('--count 须为正整数');
  const password = values.password ?? process.env.DLB_ADMIN_PASSWORD;
  if (!password) throw new Error('请用 --password 或环境变量 DLB_ADMIN_PASSWORD 提供管理员密码');
  if (values.township !== undefined && !/^\d{9}$/.test(values.township))
    throw new Error('--township 须为9位乡镇代码');
  const clockErrorMs = values['clock-error-ms'] === undefined ? undefined : Number(values['clock-error-ms']);
  if (clockErrorMs !== undefined && !(Number.isFinite(clockErrorMs) && clockErrorMs >= 0))
    throw new Error('--clock-error-ms 须为非负数');
  const sim = await runSimulator({
    count,
    server: values.server,
    username: values.username,
    password,
    dataDir: values['data-dir'],
    ...(values.township ? { township: values.township } : {}),
    ...(clockErrorMs !== undefined ? { clockErrorMs } : {}),
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log('正在停止模拟终端 ...');
    sim.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(`模拟器出错: ${errorText(err)}`);
  process.exit(1);
});
