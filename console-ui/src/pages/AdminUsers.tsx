import { useState } from 'react';
import { get, post, put } from '../api/client.ts';
import type { User } from '../api/types.ts';
import { useCan, useSession } from '../auth/session.tsx';
import { useAction, useLoad } from '../components/hooks.ts';
import { type GrantInput, RolesEditor } from '../components/RolesEditor.tsx';
import { useToast } from '../components/toast.tsx';
import { Badge, DialogActions, ErrorBox, Field, Modal, PageHeader, Panel } from '../components/ui.tsx';
import { useAreas } from '../data/areas.ts';
import { fmtDateTime, t } from '../i18n/index.ts';

function NewUser({ onClose, onDone }: { onClose: () => void; onDone: () => void }) {
  const areas = useAreas();
  const toast = useToast();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [roles, setRoles] = useState<GrantInput[]>([{ role: 'county_operator', scopeCode: null }]);
  const act = useAction(async () => {
    await post('/api/users', { username, displayName, password, roles, mustChangePassword: true });
    toast.ok(t.admin.created);
    onDone();
  });
  return (
    <Modal title={t.admin.newUser} onClose={onClose}>
      <div className="form">
        <Field label={t.admin.username}>
          <input
            value={username}
            onChange={(e) => setUsername(e.target.value.toLowerCase())}
            name="new-username"
          />
        </Field>
        <Field label={t.admin.displayName}>
          <input
            value={displayName}
            onChange={(e) => setDisplayName(e.target.value)}
            name="new-displayname"
          />
        </Field>
        <Field label={t.admin.tempPassword}>
          <input
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            name="new-password"
            autoComplete="off"
          />
        </Field>
        <Field label={t.admin.roles}>
          {areas && <RolesEditor value={roles} onChange={setRoles} areas={areas} />}
        </Field>
        <ErrorBox error={act.error} />
        <DialogActions act={act} label={t.common.save} onClose={onClose} />
      </div>
    </Modal>
  );
}

function EditRoles({ user, onClose, onDone }: { user: User; onClose: () => void; onDone: () => void }) {
  const areas = useAreas();
  const [roles, setRoles] = useState<GrantInput[]>(
    user.roles.map((g) => ({ role: g.role, scopeCode: g.scopeCode })),
  );
  const act = useAction(async () => {
    await put(`/api/users/${user.id}/roles`, { roles });
    onDone();
  });
  return (
    <Modal title={`${t.admin.roles}：${user.displayName}`} onClose={onClose}>
      {areas && <RolesEditor value={roles} onChange={setRoles} areas={areas} />}
      <ErrorBox error={act.error} />
      <DialogActions act={act} label={t.admin.saveRoles} disabled={roles.length === 0} onClose={onClose} />
    </Modal>
  );
}

export function AdminUsers() {
  const can = useCan();
  const { me } = useSession();
  const toast = useToast();
  const users = useLoad(() => get<{ users: User[] }>('/api/users').then((r) => r.users), []);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<User | null>(null);
  const manage = can.can('user.manage');
  const act = useAction(async (u: User, what: 'disable' | 'enable' | 'unlock' | 'password') => {
    if (what === 'password') {
      const pw = window.prompt(t.admin.tempPassword);
      if (!pw) return;
      await post(`/api/users/${u.id}/password`, { password: pw });
    } else await post(`/api/users/${u.id}/${what}`);
    toast.ok(t.common.done);
    await users.reload();
  });
  return (
    <>
      <PageHeader title={t.admin.users}>
        {manage && (
          <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
            {t.admin.newUser}
          </button>
        )}
      </PageHeader>
      <ErrorBox error={users.error ?? act.error} />
      <Panel>
        <table className="table" data-testid="users">
          <thead>
            <tr>
              <th>{t.admin.username}</th>
              <th>{t.admin.displayName}</th>
              <th>{t.admin.roles}</th>
              <th>{t.common.state}</th>
              <th>{t.admin.lastLogin}</th>
              <th className="num">{t.admin.sessions}</th>
              {manage && <th>{t.common.actions}</th>}
            </tr>
          </thead>
          <tbody>
            {(users.data ?? []).map((u) => {
              const self = u.id === me?.user.id;
              const locked = (u.lockedUntil ?? 0) > Date.now();
              return (
                <tr key={u.id}>
                  <td className="mono">{u.username}</td>
                  <td>{u.displayName}</td>
                  <td>{u.roles.map((g) => `${g.label}·${g.scopeName}`).join('，')}</td>
                  <td>
                    {u.disabled ? (
                      <Badge kind="disabled">{t.status.disabled}</Badge>
                    ) : (
                      <Badge kind="online">{t.status.normal}</Badge>
                    )}
                    {locked && <Badge kind="fault">{t.admin.locked}</Badge>}
                  </td>
                  <td className="nowrap">{fmtDateTime(u.lastLoginAt)}</td>
                  <td className="num">{u.activeSessions ?? 0}</td>
                  {manage && (
                    <td className="actions">
                      <button
                        type="button"
                        className="btn btn-small"
                        disabled={self}
                        onClick={() => setEditing(u)}
                      >
                        {t.admin.roles}
                      </button>
                      <button
                        type="button"
                        className="btn btn-small"
                        disabled={self || act.busy}
                        onClick={() => void act.run(u, u.disabled ? 'enable' : 'disable')}
                      >
                        {u.disabled ? t.admin.enable : t.admin.disable}
                      </button>
                      {locked && (
                        <button
                          type="button"
                          className="btn btn-small"
                          onClick={() => void act.run(u, 'unlock')}
                        >
                          {t.admin.unlock}
                        </button>
                      )}
                      <button
                        type="button"
                        className="btn btn-small"
                        disabled={self || act.busy}
                        onClick={() => void act.run(u, 'password')}
                      >
                        {t.admin.resetPassword}
                      </button>
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </Panel>
      {creating && (
        <NewUser
          onClose={() => setCreating(false)}
          onDone={() => {
            setCreating(false);
            void users.reload();
          }}
        />
      )}
      {editing && (
        <EditRoles
          user={editing}
          onClose={() => setEditing(null)}
          onDone={() => {
            setEditing(null);
            void users.reload();
          }}
        />
      )}
    </>
  );
}
