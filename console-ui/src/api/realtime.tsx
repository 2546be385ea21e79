import { createContext, type ReactNode, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import { useSession } from '../auth/session.tsx';
import { t } from '../i18n/index.ts';

/** Events the centre pushes (server/src/realtime/realtime-bus.ts), each only to those allowed to see it. */
export interface TerminalStateEvent {
  type: 'terminal:state';
  terminalId: string;
  villageCode: string;
  online: boolean;
  status: number;
  volume: number | null;
  playing: unknown;
  at: number;
}
export interface BroadcastOutcomeEvent {
  type: 'broadcast:outcome';
  broadcastId: string;
  terminalId: string;
  villageCode: string;
  outcome: number;
  reason: string | null;
  at: number;
}
export interface AlertOutcomeEvent {
  type: 'alert:outcome';
  alertId: string;
  terminalId: string;
  villageCode: string;
  outcome: number;
  phase: string | null;
  at: number;
}
export interface ContentChangedEvent {
  type: 'content:changed';
  contentId: string;
  scopeCode: string;
  state: string;
  at: number;
}
export interface AuditAppendedEvent {
  type: 'audit:appended';
  seq: number;
  action: string;
  outcome: string;
  actorName: string | null;
  target: string | null;
  at: number;
}
interface EventMap {
  'terminal:state': TerminalStateEvent;
  'broadcast:outcome': BroadcastOutcomeEvent;
  'alert:outcome': AlertOutcomeEvent;
  'content:changed': ContentChangedEvent;
  'audit:appended': AuditAppendedEvent;
}
export type PushedEvent = keyof EventMap;

export type Ack<T> = ({ ok: true } & T) | { ok: false; error: { code: string; message: string } };

interface RealtimeValue {
  connected: boolean;
  on<E extends PushedEvent>(event: E, handler: (e: EventMap[E]) => void): () => void;
  request<T>(event: string, payload: unknown): Promise<Ack<T>>;
}

const Ctx = createContext<RealtimeValue | null>(null);

/**
 * One socket.io connection per logged-in console, authenticated by the session cookie (same origin). The
 * centre closes it with `session:ended` when the session ends or the user is disabled.
 */
export function RealtimeProvider({ children }: { children: ReactNode }) {
  const { me, endSession } = useSession();
  const socketRef = useRef<Socket | null>(null);
  const [connected, setConnected] = useState(false);
  // A user who must change the password is refused by the centre: connect once that is done.
  const userId = me && !me.user.mustChangePassword ? me.user.id : null;

  useEffect(() => {
    if (userId === null) return;
    const socket = io({ path: '/socket.io', transports: ['websocket', 'polling'], withCredentials: true });
    socketRef.current = socket;
    socket.on('connect', () => setConnected(true));
    socket.on('disconnect', () => setConnected(false));
    socket.on('session:ended', (e: { message?: string }) => endSession(e?.message ?? t.shell.sessionEnded));
    socket.on('connect_error', (err: Error & { data?: { code?: string; message?: string } }) => {
      if (err.data?.code === 'unauthorized') endSession(err.data.message ?? t.shell.sessionEnded);
    });
    return () => {
      socket.close();
      socketRef.current = null;
      setConnected(false);
    };
  }, [userId, endSession]);

  const value = useMemo<RealtimeValue>(
    () => ({
      connected,
      on: (event, handler) => {
        const s: Socket | null = socketRef.current;
        if (!s) return () => {};
        const name: string = event;
        const h = handler as (e: unknown) => void;
        s.on(name, h);
        return () => void s.off(name, h);
      },
      request: (event, payload) =>
        new Promise((resolve) => {
          const s = socketRef.current;
          if (!s?.connected) {
            resolve({ ok: false, error: { code: 'offline', message: t.shell.offline } });
            return;
          }
          s.timeout(10_000).emit(event, payload, (err: Error | null, ack: unknown) => {
            if (err) resolve({ ok: false, error: { code: 'timeout', message: t.errors.network } });
            else resolve(ack as never);
          });
        }),
    }),
    // `connected` changes re-create the value, so subscribers re-subscribe on the live socket.
    [connected],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useRealtime(): RealtimeValue {
  const v = useContext(Ctx);
  if (!v) throw new Error('useRealtime outside RealtimeProvider');
  return v;
}

/** Subscribes to one pushed event while the component is shown. */
export function useLive<E extends PushedEvent>(event: E, handler: (e: EventMap[E]) => void): void {
  const rt = useRealtime();
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => rt.on(event, (e) => ref.current(e)), [rt, event]);
}
