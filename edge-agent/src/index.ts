export { Agent, type AgentDeps, type AgentEvents } from './agent.ts';
export { audienceMatches } from './audience.ts';
export { type Clock, ClockSync, offsetFromSamples } from './clock.ts';
export { checkCommand } from './command-check.ts';
export { ConfigError, loadConfig, parseConfig } from './config.ts';
export { EventSender, takeBatch } from './event-sender.ts';
export { MediaCache, MediaError, type MediaFailure } from './media-cache.ts';
export { MqttLink } from './mqtt-link.ts';
export { Outbox } from './outbox.ts';
export { type Current, type Plan, plan, type QueueItem } from './planner.ts';
export { Playback, type PlaybackOutcome, type PlayItem } from './playback.ts';
export { CommandPlayer, type Player, type PlayRequest, SilentSink } from './player.ts';
export { DiskReplayGuard } from './replay-guard.ts';
export {
  backoffDelay,
  consoleLogger,
  type Logger,
  realTimers,
  silentLogger,
  type Timers,
} from './runtime.ts';
export { type RunningSimulator, runSimulator, type SimulatorOptions } from './simulate.ts';
