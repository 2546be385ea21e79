import { describe, expect, it } from 'vitest';
import { audienceMatches } from './audience.ts';

const self = {
  terminalId: '64503231012010301000100',
  areaChain: ['450323', '450323101', '450323101201'],
  groups: ['flood'],
};

describe('audienceMatches', () => {
  it('accepts an audience that is the topic and includes this terminal', () => {
    expect(
      audienceMatches(
        { kind: 'terminal', tid: self.terminalId },
        { kind: 'terminal', tid: self.terminalId },
        self,
      ),
    ).toBe(true);
    expect(
      audienceMatches({ kind: 'area', code: '450323101' }, { kind: 'area', code: '450323101' }, self),
    ).toBe(true);
    expect(audienceMatches({ kind: 'group', gid: 'flood' }, { kind: 'group', gid: 'flood' }, self)).toBe(
      true,
    );
  });

  it('refuses a mismatch between audience and topic, or an audience this terminal is not in', () => {
    expect(
      audienceMatches({ kind: 'area', code: '450323' }, { kind: 'terminal', tid: self.terminalId }, self),
    ).toBe(false);
    expect(
      audienceMatches({ kind: 'area', code: '450323104' }, { kind: 'area', code: '450323101' }, self),
    ).toBe(false);
    expect(
      audienceMatches({ kind: 'area', code: '450323104' }, { kind: 'area', code: '450323104' }, self),
    ).toBe(false);
    expect(
      audienceMatches(
        { kind: 'terminal', tid: '64503231012010301000200' },
        { kind: 'terminal', tid: '64503231012010301000200' },
        self,
      ),
    ).toBe(false);
    expect(audienceMatches({ kind: 'group', gid: 'other' }, { kind: 'group', gid: 'other' }, self)).toBe(
      false,
    );
  });
});
