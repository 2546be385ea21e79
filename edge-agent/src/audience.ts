import type { Audience, CommandTopic } from '@dlb/protocol';

export interface Self {
  terminalId: string;
  areaChain: readonly string[];
  groups: readonly string[];
}

/**
 * A command is acted on only if the audience it was signed for is the topic it came on and includes
 * this terminal: a command signed for one village cannot be replayed onto another village's topic.
 */
export function audienceMatches(audience: Audience, topic: CommandTopic, self: Self): boolean {
  switch (audience.kind) {
    case 'terminal':
      return topic.kind === 'terminal' && topic.tid === audience.tid && audience.tid === self.terminalId;
    case 'area':
      return topic.kind === 'area' && topic.code === audience.code && self.areaChain.includes(audience.code);
    case 'group':
      return topic.kind === 'group' && topic.gid === audience.gid && self.groups.includes(audience.gid);
  }
}
