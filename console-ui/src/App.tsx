import { type ReactNode, useEffect } from 'react';
import { RealtimeProvider, useRealtime } from './api/realtime.tsx';
import type { Abilities } from './auth/roles.ts';
import { SessionProvider, useSession } from './auth/session.tsx';
import { ToastProvider } from './components/toast.tsx';
import { t } from './i18n/index.ts';
import { AdminAudit } from './pages/AdminAudit.tsx';
import { AdminSchedule } from './pages/AdminSchedule.tsx';
import { AdminUsers } from './pages/AdminUsers.tsx';
import { BroadcastLive } from './pages/BroadcastLive.tsx';
import { BroadcastNow } from './pages/BroadcastNow.tsx';
import { CapSources } from './pages/CapSources.tsx';
import { ContentDetail } from './pages/ContentDetail.tsx';
import { ContentLibrary } from './pages/ContentLibrary.tsx';
import { ContentNew } from './pages/ContentNew.tsx';
import { Emergency } from './pages/Emergency.tsx';
import { Login, PasswordChange } from './pages/Login.tsx';
import { Overview } from './pages/Overview.tsx';
import { ReviewQueue } from './pages/ReviewQueue.tsx';
import { ScheduleBoard } from './pages/ScheduleBoard.tsx';
import { TerminalDetail } from './pages/TerminalDetail.tsx';
import { TerminalGroups } from './pages/TerminalGroups.tsx';
import { Terminals } from './pages/Terminals.tsx';
import { Link, match, navigate, useLocation } from './router.tsx';

interface NavItem {
  path: string;
  label: string;
  allowed: (can: Abilities) => boolean;
  className?: string;
}

/** The left navigation: an entry appears only for those who may use its page. */
export const NAV: NavItem[] = [
  { path: '/overview', label: t.nav.overview, allowed: (c) => c.can('terminal.read') },
  { path: '/content', label: t.nav.content, allowed: (c) => c.can('content.read') },
  { path: '/review', label: t.nav.review, allowed: (c) => c.can('content.review') },
  { path: '/schedule', label: t.nav.schedule, allowed: (c) => c.can('programme.read') },
  { path: '/broadcast', label: t.nav.broadcast, allowed: (c) => c.can('broadcast.read') },
  {
    path: '/emergency',
    label: t.nav.emergency,
    allowed: (c) => c.can('alert.read'),
    className: 'nav-emergency',
  },
  { path: '/terminals', label: t.nav.terminals, allowed: (c) => c.can('terminal.read') },
  { path: '/terminal-groups', label: t.nav.groups, allowed: (c) => c.can('terminal.read') },
  { path: '/admin/users', label: t.nav.users, allowed: (c) => c.can('user.read') },
  { path: '/admin/audit', label: t.nav.audit, allowed: (c) => c.can('audit.read') },
  {
    path: '/admin/schedule',
    label: t.nav.scheduleFile,
    allowed: (c) => c.can('schedule.admin') || c.can('audit.read'),
  },
  { path: '/admin/cap-sources', label: t.nav.capSources, allowed: (c) => c.can('cap.manage') },
];

const ROUTES: Array<{ pattern: string; render: (p: Record<string, string>) => ReactNode; nav: string }> = [
  { pattern: '/overview', render: () => <Overview />, nav: '/overview' },
  { pattern: '/content', render: () => <ContentLibrary />, nav: '/content' },
  { pattern: '/content/new', render: () => <ContentNew />, nav: '/content' },
  { pattern: '/content/:id', render: (p) => <ContentDetail id={p.id!} />, nav: '/content' },
  { pattern: '/review', render: () => <ReviewQueue />, nav: '/review' },
  { pattern: '/schedule', render: () => <ScheduleBoard />, nav: '/schedule' },
  { pattern: '/broadcast', render: () => <BroadcastNow />, nav: '/broadcast' },
  { pattern: '/broadcast/:id', render: (p) => <BroadcastLive id={p.id!} />, nav: '/broadcast' },
  { pattern: '/emergency', render: () => <Emergency />, nav: '/emergency' },
  { pattern: '/emergency/:id', render: (p) => <Emergency focus={p.id} />, nav: '/emergency' },
  { pattern: '/terminals', render: () => <Terminals />, nav: '/terminals' },
  { pattern: '/terminals/:id', render: (p) => <TerminalDetail id={p.id!} />, nav: '/terminals' },
  { pattern: '/terminal-groups', render: () => <TerminalGroups />, nav: '/terminal-groups' },
  { pattern: '/admin/users', render: () => <AdminUsers />, nav: '/admin/users' },
  { pattern: '/admin/audit', render: () => <AdminAudit />, nav: '/admin/audit' },
  { pattern: '/admin/schedule', render: () => <AdminSchedule />, nav: '/admin/schedule' },
  { pattern: '/admin/cap-sources', render: () => <CapSources />, nav: '/admin/cap-sources' },
  { pattern: '/password', render: () => <PasswordChange />, nav: '' },
];

function LiveDot() {
  const { connected } = useRealtime();
  return (
    <span
      className={`live-dot ${connected ? 'live-on' : 'live-off'}`}
      title={connected ? t.shell.live : t.shell.offline}
    >
      {connected ? t.shell.live : t.shell.offline}
    </span>
  );
}

function Shell() {
  const { me, can, logout } = useSession();
  const { path } = useLocation();
  const items = NAV.filter((n) => can && n.allowed(can));
  const mustChange = me?.user.mustChangePassword ?? false;

  useEffect(() => {
    if (mustChange && path !== '/password') navigate('/password', { replace: true });
    else if (path === '/' || path === '/login') navigate(items[0]?.path ?? '/password', { replace: true });
  }, [path, mustChange, items]);

  const route = ROUTES.map((r) => ({ r, p: match(r.pattern, path) })).find((x) => x.p);
  const navItem = route && NAV.find((n) => n.path === route.r.nav);
  const allowed = route && (route.r.nav === '' || (navItem && can && navItem.allowed(can)));
  return (
    <div className="shell">
      <nav className="sidenav" aria-label={t.app.mainNav}>
        <div className="brand">
          <span className="brand-name">{t.app.name}</span>
          <span className="brand-sub">{t.app.subtitle}</span>
        </div>
        <ul>
          {items.map((n) => (
            <li key={n.path}>
              <Link to={n.path} className={`${n.className ?? ''} ${route?.r.nav === n.path ? 'active' : ''}`}>
                {n.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <div className="main">
        <div className="topbar">
          <LiveDot />
          <span className="who" data-testid="who">
            {me?.user.displayName}（{me?.user.roles.map((g) => `${g.label}·${g.scopeName}`).join('，')}）
          </span>
          <Link to="/password" className="btn btn-small">
            {t.shell.changePassword}
          </Link>
          <button type="button" className="btn btn-small" onClick={() => void logout()}>
            {t.shell.logout}
          </button>
        </div>
        <main className="content">
          {mustChange && path !== '/password' ? null : route && allowed ? (
            route.r.render(route.p!)
          ) : (
            <div className="empty">{route ? t.common.noPermission : t.errors.notFound}</div>
          )}
        </main>
      </div>
    </div>
  );
}

function Gate() {
  const { status } = useSession();
  if (status === 'loading') return <div className="splash">{t.app.loading}</div>;
  if (status === 'anonymous') return <Login />;
  return (
    <RealtimeProvider>
      <Shell />
    </RealtimeProvider>
  );
}

export function App() {
  return (
    <ToastProvider>
      <SessionProvider>
        <Gate />
      </SessionProvider>
    </ToastProvider>
  );
}
