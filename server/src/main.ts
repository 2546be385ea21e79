import { Centre } from './centre.ts';
import { loadConfig } from './config.ts';

/** `npm start`: one county centre on embedded defaults (see README for settings). */
async function main(): Promise<void> {
  const config = loadConfig();
  const centre = new Centre(config);
  await centre.start();
  console.log(
    `大喇叭控制中心已启动: ${centre.httpUrl}  (MQTT ${centre.mqttUrl}, 数据目录 ${config.dataDir})`,
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('正在停止…');
    await centre.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  console.error(`启动失败: ${(e as Error).message}`);
  process.exit(1);
});
