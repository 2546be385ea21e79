import type { Actor } from '../auth/actor.ts';
import type { Permission } from '../auth/roles.ts';
import type { RealtimeEvent } from './realtime-bus.ts';

type EventOf<T extends RealtimeEvent['type']> = Extract<RealtimeEvent, { type: T }>;

/** Who may receive one kind of server→console event: the permission it needs, and where. */
export interface ServerEventRule<T extends RealtimeEvent['type']> {
  permission: Permission;
  /** How the permission is tested against the event's place ('global' when it has none). */
  scope: 'canAt' | 'canAtOrAbove' | 'global';
  mayReceive(actor: Actor, event: EventOf<T>): boolean;
}

/**
 * The one statement of which console receives which pushed event, by the same permissions and scopes
 * as the HTTP API reads: a township user hears only its own villages' terminals and outcomes, sees the
 * county's own content as well as its township's (like GET /api/content), and only auditors and
 * administrators see the audit trail. The wire event name is the type.
 */
export const SERVER_EVENTS: { [T in RealtimeEvent['type']]: ServerEventRule<T> } = {
  'terminal:state': {
    permission: 'terminal.read',
    scope: 'canAt',
    mayReceive: (actor, e) => actor.canAt('terminal.read', e.villageCode),
  },
  'broadcast:outcome': {
    permission: 'broadcast.read',
    scope: 'canAt',
    mayReceive: (actor, e) => actor.canAt('broadcast.read', e.villageCode),
  },
  'alert:outcome': {
    permission: 'alert.read',
    scope: 'canAt',
    mayReceive: (actor, e) => actor.canAt('alert.read', e.villageCode),
  },
  'content:changed': {
    permission: 'content.read',
    scope: 'canAtOrAbove',
    mayReceive: (actor, e) => actor.canAtOrAbove('content.read', e.scopeCode),
  },
  'audit:appended': {
    permission: 'audit.read',
    scope: 'global',
    mayReceive: (actor) => actor.has('audit.read'),
  },
};

/** Whether `actor` may receive `event`; unknown event types go to nobody. */
export function mayReceive(actor: Actor, event: RealtimeEvent): boolean {
  const rule = SERVER_EVENTS[event.type] as ServerEventRule<RealtimeEvent['type']> | undefined;
  return rule?.mayReceive(actor, event as never) ?? false;
}

/** Sent to a socket just before the server closes it because its session ended or its user was disabled. */
export const SESSION_ENDED = 'session:ended';
