import { Priority } from '@dlb/protocol';

/**
 * Who may do what: the roles, the scope each is held at, and the permissions each grants.
 * This table is the one statement of the rules; routes name a permission, services check the scope.
 */
export const ROLES = [
  'county_admin',
  'county_operator',
  'county_reviewer',
  'township_operator',
  'township_reviewer',
  'emergency_officer',
  'auditor',
] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  county_admin: '县级管理员',
  county_operator: '县级编播员',
  county_reviewer: '县级审核员',
  township_operator: '乡镇编播员',
  township_reviewer: '乡镇审核员',
  emergency_officer: '应急值守员',
  auditor: '审计员',
};

/** Where a role may be held: the whole county only, one township only, or either. */
export const ROLE_SCOPE: Record<Role, 'county' | 'township' | 'county-or-township'> = {
  county_admin: 'county',
  county_operator: 'county',
  county_reviewer: 'county',
  township_operator: 'township',
  township_reviewer: 'township',
  emergency_officer: 'county-or-township',
  auditor: 'county',
};

export const PERMISSIONS = [
  'area.read',
  'area.import',
  'area.settings',
  'lexicon.write',
  'terminal.read',
  'terminal.control',
  'terminal.manage',
  'media.read',
  'media.upload',
  'content.read',
  'content.write',
  'content.review',
  'broadcast.read',
  'broadcast.send',
  'programme.read',
  'programme.write',
  'schedule.read',
  'schedule.admin',
  'user.read',
  'user.manage',
  'audit.read',
  'alert.read',
  'alert.raise',
  'alert.drill',
  'alert.confirm',
  'cap.manage',
  'group.manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const READ_ALL: Permission[] = [
  'area.read',
  'terminal.read',
  'media.read',
  'content.read',
  'broadcast.read',
  'programme.read',
  'schedule.read',
  'alert.read',
];

/**
 * What each role grants, within its scope. The administrator runs the system (accounts, terminals,
 * division data, schedule file) and may write and schedule county content, but never reviews: content
 * needs a reviewer who is not its author. The auditor reads everything and changes nothing.
 */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
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
  county_operator: [
    ...READ_ALL,
    'lexicon.write',
    'terminal.control',
    'media.upload',
    'content.write',
    'broadcast.send',
    'programme.write',
  ],
  county_reviewer: [...READ_ALL, 'content.review'],
  township_operator: [
    ...READ_ALL,
    'area.settings',
    'terminal.control',
    'media.upload',
    'content.write',
    'broadcast.send',
    'programme.write',
  ],
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

/** Highest priority a role may give a "broadcast now" (DESIGN §5): township staff stay below the county. */
export const ROLE_MAX_PRIORITY: Record<Role, number> = {
  county_admin: Priority.countyLive,
  county_operator: Priority.countyLive,
  county_reviewer: 0,
  township_operator: Priority.townshipLive,
  township_reviewer: 0,
  emergency_officer: Priority.countyLive,
  auditor: 0,
};

export function roleGrants(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}
