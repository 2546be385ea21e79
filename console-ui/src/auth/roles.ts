import type { Grant, Me, Role } from '../api/types.ts';

/**
 * Which permissions each role grants — a copy of server/src/auth/roles.ts (a test compares the two), used
 * only to know *where* the user holds a permission (the whole county or one township) so the console can
 * offer only the scopes the centre would accept. The centre still checks every call.
 */
const READ_ALL = [
  'area.read',
  'terminal.read',
  'media.read',
  'content.read',
  'broadcast.read',
  'programme.read',
  'schedule.read',
  'alert.read',
];
const WRITE = ['terminal.control', 'media.upload', 'content.write', 'broadcast.send', 'programme.write'];

export const ROLE_PERMISSIONS: Record<Role, readonly string[]> = {
  county_admin: [
    ...READ_ALL,
    'area.import',
    'area.settings',
    'lexicon.write',
    'terminal.control',
    'terminal.manage',
    'media.upload',
    'content.write',
    'broadcast.send',
    'programme.write',
    'schedule.admin',
    'user.read',
    'user.manage',
    'audit.read',
    'cap.manage',
    'group.manage',
  ],
  county_operator: [...READ_ALL, 'lexicon.write', ...WRITE],
  county_reviewer: [...READ_ALL, 'content.review'],
  township_operator: [...READ_ALL, 'area.settings', ...WRITE],
  township_reviewer: [...READ_ALL, 'content.review'],
  emergency_officer: [
    ...READ_ALL,
    'terminal.control',
    'media.upload',
    'content.write',
    'broadcast.send',
    'alert.raise',
    'alert.drill',
    'alert.confirm',
    'group.manage',
  ],
  auditor: [...READ_ALL, 'user.read', 'audit.read'],
};

/** Role names a user may be given at the county level, or at a township. */
export const COUNTY_ROLES: Role[] = [
  'county_admin',
  'county_operator',
  'county_reviewer',
  'emergency_officer',
  'auditor',
];
export const TOWNSHIP_ROLES: Role[] = ['township_operator', 'township_reviewer', 'emergency_officer'];

/** What the logged-in person may do, and where. */
export class Abilities {
  constructor(readonly me: Me) {}

  /** Holds the permission somewhere (the nav and buttons show or hide by this). */
  can(p: string): boolean {
    return this.me.permissions.includes(p);
  }

  private grantsWith(p: string): Grant[] {
    return this.me.user.roles.filter((g) => ROLE_PERMISSIONS[g.role]?.includes(p));
  }

  /** Holds it for the whole county. */
  countyWide(p: string): boolean {
    return this.grantsWith(p).some((g) => g.scopeCode === null);
  }

  /** The townships where it is held (empty when county-wide or not at all). */
  townships(p: string): string[] {
    if (this.countyWide(p)) return [];
    return this.grantsWith(p).flatMap((g) => (g.scopeCode ? [g.scopeCode] : []));
  }

  /** Whether the permission reaches an area code (county 6, township 9, village 12 digits). */
  canAt(p: string, code: string): boolean {
    if (this.countyWide(p)) return true;
    return this.grantsWith(p).some((g) => g.scopeCode !== null && code.startsWith(g.scopeCode));
  }
}
