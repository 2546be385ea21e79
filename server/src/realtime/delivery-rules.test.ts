import { describe, expect, it } from 'vitest';
import { Actor, type Grant } from '../auth/actor.ts';
import { ROLES, type Role } from '../auth/roles.ts';
import { mayReceive, SERVER_EVENTS } from './delivery-rules.ts';
import type { RealtimeEvent } from './realtime-bus.ts';

const COUNTY = '450323';
const TOWN_A = '450323101';
const TOWN_B = '450323104';
const VILLAGE_A = '450323101200';
const VILLAGE_B = '450323104201';

/** The division tree by code length, as the area service would answer for these codes. */
const chains = {
  chainOf: (code: string) =>
    code.length === 12
      ? [code, code.slice(0, 9), code.slice(0, 6)]
      : code.length === 9
        ? [code, code.slice(0, 6)]
        : [code],
};

const actor = (...roles: Grant[]) =>
  new Actor(
    { id: 1, username: 'u', displayName: 'u', disabled: false, mustChangePassword: false, roles },
    chains,
  );
const at = (role: Role, scopeCode: string | null = null) => actor({ role, scopeCode });

const state = (villageCode: string): RealtimeEvent => ({
  type: 'terminal:state',
  terminalId: `6${villageCode}03010001` + '00',
  villageCode,
  online: true,
  status: 1,
  volume: null,
  playing: null,
  at: 1,
});
const outcome = (villageCode: string): RealtimeEvent => ({
  type: 'broadcast:outcome',
  broadcastId: 'b12345678',
  terminalId: 't',
  villageCode,
  outcome: 3,
  reason: null,
  at: 1,
});
const content = (scopeCode: string): RealtimeEvent => ({
  type: 'content:changed',
  contentId: 'c1',
  scopeCode,
  state: 'approved',
  at: 1,
});
const audit: RealtimeEvent = {
  type: 'audit:appended',
  seq: 1,
  action: 'auth.login',
  outcome: 'ok',
  actorName: 'admin',
  target: null,
  at: 1,
};

describe('SERVER_EVENTS: who receives which pushed event', () => {
  it('has one rule per event type, each naming a permission', () => {
    expect(Object.keys(SERVER_EVENTS).sort()).toEqual([
      'alert:outcome',
      'audit:appended',
      'broadcast:outcome',
      'content:changed',
      'terminal:state',
    ]);
    for (const rule of Object.values(SERVER_EVENTS)) expect(rule.permission).toMatch(/\.read$/);
  });

  it('county-wide readers hear every village; auditors also hear the audit trail', () => {
    for (const role of ['county_admin', 'county_operator', 'county_reviewer', 'auditor'] as const) {
      const a = at(role);
      for (const e of [state(VILLAGE_A), state(VILLAGE_B), outcome(VILLAGE_A), outcome(VILLAGE_B)])
        expect(mayReceive(a, e), `${role} ${e.type}`).toBe(true);
      for (const code of [COUNTY, TOWN_A, TOWN_B])
        expect(mayReceive(a, content(code)), `${role} content ${code}`).toBe(true);
    }
    expect(mayReceive(at('county_admin'), audit)).toBe(true);
    expect(mayReceive(at('auditor'), audit)).toBe(true);
    expect(mayReceive(at('county_operator'), audit)).toBe(false);
    expect(mayReceive(at('county_reviewer'), audit)).toBe(false);
  });

  it('township roles hear their own villages only, the county’s content too, and never the audit trail', () => {
    for (const role of ['township_operator', 'township_reviewer', 'emergency_officer'] as const) {
      const a = at(role, TOWN_A);
      expect(mayReceive(a, state(VILLAGE_A)), role).toBe(true);
      expect(mayReceive(a, state(VILLAGE_B)), role).toBe(false);
      expect(mayReceive(a, outcome(VILLAGE_A)), role).toBe(true);
      expect(mayReceive(a, outcome(VILLAGE_B)), role).toBe(false);
      expect(mayReceive(a, content(TOWN_A)), role).toBe(true);
      expect(mayReceive(a, content(COUNTY)), role).toBe(true);
      expect(mayReceive(a, content(TOWN_B)), role).toBe(false);
      expect(mayReceive(a, audit), role).toBe(false);
    }
  });

  it('a user with grants in two townships hears both, and one with no roles hears nothing', () => {
    const both = actor(
      { role: 'township_operator', scopeCode: TOWN_A },
      { role: 'township_reviewer', scopeCode: TOWN_B },
    );
    expect(mayReceive(both, state(VILLAGE_A))).toBe(true);
    expect(mayReceive(both, state(VILLAGE_B))).toBe(true);
    const none = actor();
    for (const e of [state(VILLAGE_A), outcome(VILLAGE_A), content(COUNTY), audit])
      expect(mayReceive(none, e)).toBe(false);
  });

  it('every role is covered by the table (no role receives an event without its permission)', () => {
    for (const role of ROLES) {
      const a = at(role, role.startsWith('township') ? TOWN_A : null);
      for (const e of [state(VILLAGE_A), outcome(VILLAGE_A), content(COUNTY), audit]) {
        if (mayReceive(a, e)) expect(a.has(SERVER_EVENTS[e.type].permission)).toBe(true);
      }
    }
  });

  it('an event type without a rule goes to nobody', () => {
    expect(mayReceive(at('county_admin'), { ...audit, type: 'secret:thing' } as never)).toBe(false);
  });
});
