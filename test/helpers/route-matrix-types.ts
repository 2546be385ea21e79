import type { MatrixWorld, StaffKey, Where } from './matrix-world.ts';

/**
 * Who may call each API route, written from the words rather than from the code's tables, so
 * the two check each other.
 */
export interface Req {
  method: string;
  path: string;
  body?: unknown;
  raw?: { body: NonNullable<RequestInit['body']>; contentType?: string };
  /** A session of its own (for calls that end the session). */
  freshSession?: boolean;
  /** List routes: the fixture's id, which must be listed when allowed and absent when out of scope. */
  find?: string;
}

export interface RouteCase {
  who: readonly StaffKey[] | 'public' | 'terminal' | 'session';
  /** Whether the target is in a township ('in' = the actor's own, 'out' = another). */
  scoped: boolean;
  make: (w: MatrixWorld, where: Where) => Req | Promise<Req>;
  /** A list route: allowed means the fixture (`find`) is listed; out of scope means it is missing. */
  list?: boolean;
  /** Statuses that mean "got past the permission check" besides 2xx (e.g. 400 for a deliberately empty body). */
  passed?: readonly number[];
}

/** Every staff actor of the matrix. */
export const ALL: readonly StaffKey[] = [
  'county_admin',
  'county_operator',
  'county_reviewer',
  'township_operator',
  'township_reviewer',
  'emergency_county',
  'emergency_township',
  'auditor',
];
