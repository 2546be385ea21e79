import cron, { type ScheduledTask } from 'node-cron';
import type { TargetPublisher } from './target-publisher.ts';

/**
 * The cron side of targets: every hour (by default) each terminal's 48-hour window rolls forward, so new
 * days enter it and signed copies are renewed long before they expire. Changes publish on their own.
 */
export class TargetJobs {
  private task: ScheduledTask | null = null;

  constructor(
    private readonly deps: {
      targets: TargetPublisher;
      expression: string;
      timeZone: string;
      log: (msg: string) => void;
    },
  ) {
    if (!cron.validate(deps.expression))
      throw new Error(`schedule.refreshCron 不是合法的 cron 表达式: ${deps.expression}`);
  }

  start(): void {
    if (this.task) return;
    this.task = cron.schedule(
      this.deps.expression,
      async () => {
        try {
          const r = await this.deps.targets.refresh({ kind: 'all' });
          if (r.published > 0) this.deps.log(`目标计划滚动更新: ${r.published}/${r.terminals} 个终端`);
        } catch (e) {
          this.deps.log(`目标计划滚动更新失败: ${(e as Error).message}`);
        }
      },
      { timezone: this.deps.timeZone, name: 'dlb-target-refresh', noOverlap: true },
    );
  }

  async stop(): Promise<void> {
    const t = this.task;
    this.task = null;
    await t?.destroy();
  }
}
