/** MQTT topics of the wire contract (DESIGN.md §3). Every topic starts with this prefix. */
export const TOPIC_PREFIX = 'dlb/v1';

export type TerminalLeaf = 'cmd' | 'target' | 'state' | 'events' | 'ack';

export const topics = {
  terminalCmd: (tid: string) => `${TOPIC_PREFIX}/terminal/${tid}/cmd`,
  terminalTarget: (tid: string) => `${TOPIC_PREFIX}/terminal/${tid}/target`,
  terminalState: (tid: string) => `${TOPIC_PREFIX}/terminal/${tid}/state`,
  terminalEvents: (tid: string) => `${TOPIC_PREFIX}/terminal/${tid}/events`,
  terminalAck: (tid: string) => `${TOPIC_PREFIX}/terminal/${tid}/ack`,
  areaCmd: (code: string) => `${TOPIC_PREFIX}/area/${code}/cmd`,
  groupCmd: (gid: string) => `${TOPIC_PREFIX}/group/${gid}/cmd`,
  live: (sessionId: string) => `${TOPIC_PREFIX}/live/${sessionId}`,
  /** Server-side subscriptions to everything terminals send. */
  allTerminalStates: `${TOPIC_PREFIX}/terminal/+/state`,
  allTerminalEvents: `${TOPIC_PREFIX}/terminal/+/events`,
} as const;

const TERMINAL_TOPIC = /^dlb\/v1\/terminal\/(\d{23})\/(cmd|target|state|events|ack)$/;
const AREA_CMD_TOPIC = /^dlb\/v1\/area\/(\d{6}|\d{9}|\d{12})\/cmd$/;
const GROUP_CMD_TOPIC = /^dlb\/v1\/group\/([A-Za-z0-9_-]{1,64})\/cmd$/;

export function parseTerminalTopic(topic: string): { tid: string; leaf: TerminalLeaf } | null {
  const m = TERMINAL_TOPIC.exec(topic);
  return m ? { tid: m[1]!, leaf: m[2] as TerminalLeaf } : null;
}

export type CommandTopic =
  | { kind: 'terminal'; tid: string }
  | { kind: 'area'; code: string }
  | { kind: 'group'; gid: string };

/** What a command topic addresses; null for anything that is not a command topic. */
export function parseCommandTopic(topic: string): CommandTopic | null {
  const t = parseTerminalTopic(topic);
  if (t) return t.leaf === 'cmd' ? { kind: 'terminal', tid: t.tid } : null;
  const a = AREA_CMD_TOPIC.exec(topic);
  if (a) return { kind: 'area', code: a[1]! };
  const g = GROUP_CMD_TOPIC.exec(topic);
  if (g) return { kind: 'group', gid: g[1]! };
  return null;
}

/** Topics a terminal may subscribe to: its own command, target and ack topics, and its chain's commands. */
export function terminalReadTopics(
  tid: string,
  areaChain: readonly string[],
  groups: readonly string[],
): string[] {
  return [
    topics.terminalCmd(tid),
    topics.terminalTarget(tid),
    topics.terminalAck(tid),
    ...areaChain.map((c) => topics.areaCmd(c)),
    ...groups.map((g) => topics.groupCmd(g)),
  ];
}

/** Topics a terminal may publish to: only its own state and events. */
export function terminalWriteTopics(tid: string): string[] {
  return [topics.terminalState(tid), topics.terminalEvents(tid)];
}
