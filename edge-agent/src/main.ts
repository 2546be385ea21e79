import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent } from './agent.ts';
import { ConfigError, loadConfig } from './config.ts';
import { consoleLogger, errorText } from './runtime.ts';

/**
 * `edge-agent/src/main.ts --config /etc/dlb/agent.json [--data-dir /var/lib/dlb-agent]`:
 * run one terminal until SIGTERM/SIGINT. --data-dir overrides the config's dataDir.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { config: { type: 'string', short: 'c' }, 'data-dir': { type: 'string' } },
  });
  if (!values.config) {
    console.error('用法: edge-agent --config <配置文件.json> [--data-dir <数据目录>]');
    process.exit(2);
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(values.config);
    if (values['data-dir']) config = { ...config, dataDir: resolve(values['data-dir']) };
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : errorText(err));
    process.exit(2);
  }
  const log = consoleLogger(`[${config.terminalId}] `);
  const agent = new Agent(config, { log });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`收到 ${signal}, 正在停止`);
    agent.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error(`停止时出错: ${errorText(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  await agent.start();
  log.info(`终端已启动 数据目录 ${config.dataDir}`);
}

main().catch((err: unknown) => {
  console.error(`启动失败: ${errorText(err)}`);
  process.exit(1);
});
