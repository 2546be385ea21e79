export { Agent, type AgentDeps, type AgentEvents } from './agent.ts';
export { AlertKeeper, alertCommandId } from './alert-keeper.ts';
export { AlertLedger, type AlertRecord } from './alert-ledger.ts';
export { alertSequence } from './alert-sequence.ts';
export { audienceMatches } from './audience.ts';
export { type Clock, ClockSync, offsetFromSamples } from './clock.ts';
export { checkCommand } from './command-check.ts';
export { ConfigError, loadConfig, parseConfig } from './config.ts';
export { EntryLedger, type EntryState, LEDGER_KEEP_MS } from './entry-ledger.ts';
export { EventSender, takeBatch } from './event-sender.ts';
export { MediaCache, MediaError, type MediaFailure } from './media-cache.ts';
export { MqttLink } from './mqtt-link.ts';
export { Outbox } from './outbox.ts';
export { type Current, EMERGENCY_MIN_PRIORITY, type Plan, plan, type QueueItem } from './planner.ts';
export { Playback, type PlaybackOutcome, type PlayItem } from './playback.ts';
export { CommandPlayer, type Player, type PlayRequest, SilentSink, type SinkRecord } from './player.ts';
export { DiskReplayGuard } from './replay-guard.ts';
export {
  backoffDelay,
  consoleLogger,
  type Logger,
  realTimers,
  silentLogger,
  type Timers,
} from './runtime.ts';
export {
  planSchedule,
  type ScheduleInput,
  type SchedulePlan,
  summarizeTarget,
  type TargetSummary,
} from './schedule-plan.ts';
export { Scheduler } from './scheduler.ts';
export {
  AttentionLog,
  type AttentionStart,
  memoisedDecode,
  memoisedSignatureCheck,
  StartLog,
  type TrueStart,
} from './sim-api.ts';
export { type RunningSimulator, runSimulator, type SimulatorOptions } from './simulate.ts';
export type { ScheduleSettings } from './target-keeper.ts';
export { type TargetOffer, TargetStore } from './target-store.ts';
