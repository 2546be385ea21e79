import { describe, expect, it } from 'vitest';
import {
  ROLE_PERMISSIONS as CONSOLE,
  COUNTY_ROLES,
  TOWNSHIP_ROLES,
} from '../../console-ui/src/auth/roles.ts';
import { ROLE_PERMISSIONS, ROLE_SCOPE, ROLES } from '../../server/src/auth/roles.ts';

/** The console shows and hides actions by its copy of the role table: it must be the centre's. */
describe("the console's copy of the role table", () => {
  it('grants each role exactly the permissions the centre does', () => {
    for (const role of ROLES)
      expect([...CONSOLE[role]].sort(), role).toEqual([...ROLE_PERMISSIONS[role]].sort());
    expect(Object.keys(CONSOLE).sort()).toEqual([...ROLES].sort());
  });

  it('offers each role only at the scopes the centre accepts', () => {
    for (const role of ROLES) {
      const where = ROLE_SCOPE[role];
      expect(COUNTY_ROLES.includes(role), role).toBe(where !== 'township');
      expect(TOWNSHIP_ROLES.includes(role), role).toBe(where !== 'county');
    }
  });
});
