import { type FormEvent, useState } from 'react';
import { messageOf, post } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { useToast } from '../components/toast.tsx';
import { ErrorBox, Field, PageHeader, Panel } from '../components/ui.tsx';
import { t } from '../i18n/index.ts';
import { navigate } from '../router.tsx';

export function Login() {
  const { login, endedReason } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(username.trim(), password);
      if (location.pathname === '/' || location.pathname === '/login') navigate('/');
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="login-page">
      <form className="login-card" onSubmit={submit}>
        <div className="login-brand">
          <span className="brand-name">{t.app.name}</span>
          <span className="brand-sub">{t.app.subtitle}</span>
        </div>
        <h1>{t.login.title}</h1>
        {endedReason && !error && <div className="notice">{endedReason}</div>}
        <ErrorBox error={error} />
        <Field label={t.login.username}>
          <input
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
          />
        </Field>
        <Field label={t.login.password}>
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </Field>
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? t.login.working : t.login.submit}
        </button>
        <p className="muted small">{t.login.hint}</p>
      </form>
    </div>
  );
}

export function PasswordChange() {
  const { me, reload } = useSession();
  const toast = useToast();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (next !== repeat) {
      setError(t.password.mismatch);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await post('/api/auth/password', { currentPassword: current, newPassword: next });
      toast.ok(t.password.done);
      await reload();
      navigate('/');
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader title={t.password.title} />
      <Panel className="narrow">
        {me?.user.mustChangePassword && <div className="notice">{t.password.mustChange}</div>}
        <form onSubmit={submit} className="form">
          <ErrorBox error={error} />
          <Field label={t.password.current}>
            <input
              type="password"
              autoComplete="current-password"
              value={current}
              onChange={(e) => setCurrent(e.target.value)}
              required
            />
          </Field>
          <Field label={t.password.next}>
            <input
              type="password"
              autoComplete="new-password"
              value={next}
              onChange={(e) => setNext(e.target.value)}
              required
              minLength={10}
            />
          </Field>
          <Field label={t.password.repeat}>
            <input
              type="password"
              autoComplete="new-password"
              value={repeat}
              onChange={(e) => setRepeat(e.target.value)}
              required
            />
          </Field>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {t.password.submit}
          </button>
        </form>
      </Panel>
    </>
  );
}
