import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ApiError, get, hasCsrf, onUnauthorized, post, setCsrf } from '../api/client.ts';
import type { Me } from '../api/types.ts';
import { Abilities } from './roles.ts';

interface SessionValue {
  me: Me | null;
  can: Abilities | null;
  /** 'loading' until the first /api/me answers. */
  status: 'loading' | 'anonymous' | 'ready';
  login(username: string, password: string): Promise<void>;
  logout(): Promise<void>;
  reload(): Promise<void>;
  /** Set when the session ended by itself (expiry, disable), shown on the login page. */
  endedReason: string | null;
  endSession(reason: string): void;
}

const Ctx = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [status, setStatus] = useState<SessionValue['status']>('loading');
  const [endedReason, setEndedReason] = useState<string | null>(null);

  const reload = useCallback(async () => {
    try {
      // Without the CSRF token of this tab's login (a new tab), changes would be refused: log in again.
      if (!hasCsrf()) {
        setMe(null);
        setStatus('anonymous');
        return;
      }
      const m = await get<Me>('/api/me');
      setMe(m);
      setStatus('ready');
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        setMe(null);
        setStatus('anonymous');
      } else throw e;
    }
  }, []);

  useEffect(() => {
    reload().catch(() => setStatus('anonymous'));
  }, [reload]);

  const endSession = useCallback((reason: string) => {
    setCsrf(null);
    setMe(null);
    setEndedReason(reason);
    setStatus('anonymous');
  }, []);

  useEffect(
    () =>
      onUnauthorized(() => {
        setCsrf(null);
        setMe(null);
        setStatus('anonymous');
      }),
    [],
  );

  const value = useMemo<SessionValue>(
    () => ({
      me,
      can: me ? new Abilities(me) : null,
      status,
      endedReason,
      endSession,
      reload,
      login: async (username, password) => {
        const r = await post<{ csrfToken: string }>('/api/auth/login', { username, password });
        setCsrf(r.csrfToken);
        setEndedReason(null);
        await reload();
      },
      logout: async () => {
        await post('/api/auth/logout').catch(() => {});
        setCsrf(null);
        setMe(null);
        setStatus('anonymous');
      },
    }),
    [me, status, endedReason, endSession, reload],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): SessionValue {
  const v = useContext(Ctx);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}

/** The abilities of the logged-in person (only inside the logged-in shell). */
export function useCan(): Abilities {
  const { can } = useSession();
  if (!can) throw new Error('useCan without a session');
  return can;
}
