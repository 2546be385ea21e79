import { forbidden } from '../errors.ts';
import { type Permission, ROLE_MAX_PRIORITY, type Role, roleGrants } from './roles.ts';

/** One role held by a user, at a scope: null is the whole county, otherwise a township's code. */
export interface Grant {
  role: Role;
  scopeCode: string | null;
}

export interface User {
  id: number;
  username: string;
  displayName: string;
  disabled: boolean;
  mustChangePassword: boolean;
  roles: Grant[];
}

/** The division tree as the permission checks need it. */
export interface AreaChains {
  /** The code and its ancestors, nearest first ([] when unknown). */
  chainOf(code: string): string[];
}

/**
 * The person behind a request, with what they may do where. Routes check that a permission is held
 * at all; services check it at the area the action touches (a terminal's village, a programme's scope).
 */
export class Actor {
  constructor(
    readonly user: User,
    private readonly areas: AreaChains,
  ) {}

  get id(): number {
    return this.user.id;
  }

  get name(): string {
    return this.user.username;
  }

  private grantsOf(p: Permission): Grant[] {
    return this.user.roles.filter((g) => roleGrants(g.role, p));
  }

  /** Holds `p` somewhere. */
  has(p: Permission): boolean {
    return this.grantsOf(p).length > 0;
  }

  /** Holds `p` county-wide. */
  hasCountyWide(p: Permission): boolean {
    return this.grantsOf(p).some((g) => g.scopeCode === null);
  }

  /** Holds `p` at `areaCode`: a county-wide grant, or a township grant on the area's chain. */
  canAt(p: Permission, areaCode: string): boolean {
    const grants = this.grantsOf(p);
    if (grants.some((g) => g.scopeCode === null)) return true;
    if (grants.length === 0) return false;
    const chain = this.areas.chainOf(areaCode);
    return grants.some((g) => g.scopeCode !== null && chain.includes(g.scopeCode));
  }

  /**
   * Holds `p` at the area or below it: a township reader can see the county's own programmes,
   * since they sound in its villages too, but not another township's.
   */
  canAtOrAbove(p: Permission, areaCode: string): boolean {
    if (this.canAt(p, areaCode)) return true;
    const scopes = this.scopesOf(p);
    return scopes?.some((s) => this.areas.chainOf(s).includes(areaCode)) ?? false;
  }

  /** Where `p` is held: null when county-wide, otherwise the township codes (possibly empty). */
  scopesOf(p: Permission): string[] | null {
    const grants = this.grantsOf(p);
    if (grants.some((g) => g.scopeCode === null)) return null;
    return [...new Set(grants.map((g) => g.scopeCode as string))];
  }

  /** Throws 403 unless `p` is held at `areaCode`. */
  requireAt(p: Permission, areaCode: string, what = '该范围'): void {
    if (!this.canAt(p, areaCode)) throw forbidden(`无权操作${what}：超出您的管辖范围`);
  }

  /** Highest broadcast priority this person may use at an area (0 when none). */
  maxPriorityAt(areaCode: string): number {
    let max = 0;
    const chain = this.areas.chainOf(areaCode);
    for (const g of this.user.roles) {
      if (!roleGrants(g.role, 'broadcast.send')) continue;
      if (g.scopeCode !== null && !chain.includes(g.scopeCode)) continue;
      max = Math.max(max, ROLE_MAX_PRIORITY[g.role]);
    }
    return max;
  }
}
