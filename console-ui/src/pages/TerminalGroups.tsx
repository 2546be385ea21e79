import { useState } from 'react';
import { del, post, put } from '../api/client.ts';
import type { Terminal, TerminalGroup } from '../api/types.ts';
import { useCan } from '../auth/session.tsx';
import { AreaTree } from '../components/AreaTree.tsx';
import { useAction } from '../components/hooks.ts';
import { ScopeSelect, scopesFor } from '../components/ScopeSelect.tsx';
import { useToast } from '../components/toast.tsx';
import {
  ConfirmModal,
  DialogActions,
  Empty,
  ErrorBox,
  Field,
  Modal,
  PageHeader,
  Panel,
} from '../components/ui.tsx';
import { type AreaIndex, useAreas } from '../data/areas.ts';
import { scopeLabel, useGroups } from '../data/groups.ts';
import { useTerminals } from '../data/terminals.ts';
import { fmtDateTime, t } from '../i18n/index.ts';

const SHOWN = 3;

/** The members by name: the first few, the rest behind "另 N 台". */
function Members({ ids, byId }: { ids: string[]; byId: Map<string, Terminal> }) {
  const [all, setAll] = useState(false);
  const shown = all ? ids : ids.slice(0, SHOWN);
  return (
    <span className="group-members" title={ids.map((id) => byId.get(id)?.name ?? id).join('、')}>
      {shown.map((id, i) => (
        <span key={id}>
          {i > 0 && '、'}
          {byId.get(id)?.name ?? <span className="mono">{id}</span>}
        </span>
      ))}
      {ids.length > SHOWN && (
        <button type="button" className="link small" onClick={() => setAll(!all)}>
          {all ? t.groups.less : t.groups.more(ids.length - SHOWN)}
        </button>
      )}
    </span>
  );
}

/** Creates a group (name, area, members, note) or edits one (its area stays). */
function GroupEditor({
  group,
  areas,
  terminals,
  onClose,
  onDone,
}: {
  group: TerminalGroup | null;
  areas: AreaIndex;
  terminals: Terminal[];
  onClose: () => void;
  onDone: () => void;
}) {
  const can = useCan();
  const toast = useToast();
  const [name, setName] = useState(group?.name ?? '');
  const [scope, setScope] = useState(group?.scopeCode ?? scopesFor(can, areas, 'group.manage')[0] ?? '');
  const [chosen, setChosen] = useState<Set<string>>(new Set(group?.terminalIds ?? []));
  const [note, setNote] = useState(group?.note ?? '');
  const villageOf = new Map(terminals.map((x) => [x.id, x.villageCode]));
  const codeOf = (key: string) => villageOf.get(key) ?? key;
  const changeScope = (code: string) => {
    setScope(code);
    setChosen((s) => new Set([...s].filter((id) => codeOf(id).startsWith(code))));
  };
  const save = useAction(async () => {
    const body = {
      name: name.trim(),
      scopeCode: scope,
      terminalIds: [...chosen],
      ...(note.trim() ? { note: note.trim() } : {}),
    };
    if (group) await put(`/api/terminal-groups/${group.id}`, body);
    else await post('/api/terminal-groups', body);
    toast.ok(group ? t.groups.saved : t.groups.created);
    onDone();
  });
  return (
    <Modal title={group ? t.groups.editTitle(group.name) : t.groups.create} onClose={onClose}>
      <div className="form" data-testid="group-editor">
        <Field label={t.groups.name}>
          <input name="group-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={50} />
        </Field>
        <Field label={t.groups.scope} hint={group ? t.groups.scopeFixed : undefined}>
          {group ? (
            <input value={scopeLabel(areas, group.scopeCode)} disabled />
          ) : (
            <ScopeSelect
              areas={areas}
              permission="group.manage"
              value={scope}
              onChange={changeScope}
              label={t.groups.scope}
            />
          )}
        </Field>
        <span className="field-label">
          {t.groups.members}（{t.groups.chosen(chosen.size)}）
        </span>
        <p className="muted small">{t.groups.membersHint}</p>
        <div className="tree-box">
          <AreaTree
            key={scope}
            areas={areas}
            terminals={terminals}
            townships={scope.length === 6 ? undefined : [scope]}
            select={{
              mode: 'terminals',
              selected: chosen,
              onChange: setChosen,
              disabled: (key) => !codeOf(key).startsWith(scope) || !can.canAt('group.manage', codeOf(key)),
            }}
          />
        </div>
        <Field label={t.groups.note}>
          <textarea
            name="group-note"
            rows={2}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            maxLength={500}
          />
        </Field>
        <ErrorBox error={save.error} />
        <DialogActions
          act={save}
          label={t.common.save}
          disabled={!name.trim() || !scope || chosen.size === 0}
          onClose={onClose}
        />
      </div>
    </Modal>
  );
}

/** Named terminal groups: everyone with terminal.read sees them; group.manage creates, edits and deletes. */
export function TerminalGroups() {
  const can = useCan();
  const toast = useToast();
  const areas = useAreas();
  const terminals = useTerminals();
  const groups = useGroups();
  const [editing, setEditing] = useState<TerminalGroup | 'new' | null>(null);
  const [deleting, setDeleting] = useState<TerminalGroup | null>(null);
  const list = terminals.data ?? [];
  const byId = new Map(list.map((x) => [x.id, x]));
  const mayCreate = can.can('group.manage') && !!areas && scopesFor(can, areas, 'group.manage').length > 0;
  const manages = (g: TerminalGroup) => can.canAt('group.manage', g.scopeCode);
  const anyManaged = (groups.data ?? []).some(manages);
  const done = () => {
    setEditing(null);
    setDeleting(null);
    void groups.reload();
  };
  return (
    <>
      <PageHeader title={t.groups.title}>
        {mayCreate && (
          <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
            {t.groups.create}
          </button>
        )}
      </PageHeader>
      <p className="muted">{t.groups.hint}</p>
      <ErrorBox error={groups.error ?? terminals.error} />
      <Panel>
        {groups.data && groups.data.length === 0 ? (
          <Empty>{t.groups.empty}</Empty>
        ) : (
          <table className="table" data-testid="groups">
            <thead>
              <tr>
                <th>{t.groups.name}</th>
                <th>{t.groups.scope}</th>
                <th className="num">{t.groups.count}</th>
                <th>{t.groups.members}</th>
                <th>{t.groups.noteCol}</th>
                <th>{t.groups.updatedAt}</th>
                {anyManaged && <th>{t.common.actions}</th>}
              </tr>
            </thead>
            <tbody>
              {(groups.data ?? []).map((g) => (
                <tr key={g.id} data-group={g.id}>
                  <td className="group-name">{g.name}</td>
                  <td className="group-scope">{scopeLabel(areas, g.scopeCode)}</td>
                  <td className="num group-count">{g.terminalIds.length}</td>
                  <td>
                    <Members ids={g.terminalIds} byId={byId} />
                  </td>
                  <td className="muted">{g.note ?? ''}</td>
                  <td className="nowrap">{fmtDateTime(g.updatedAt)}</td>
                  {anyManaged && (
                    <td className="actions">
                      {manages(g) && (
                        <>
                          <button type="button" className="btn btn-small" onClick={() => setEditing(g)}>
                            {t.groups.edit}
                          </button>
                          <button
                            type="button"
                            className="btn btn-small btn-danger-outline"
                            onClick={() => setDeleting(g)}
                          >
                            {t.groups.delete}
                          </button>
                        </>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>
      {editing && areas && (
        <GroupEditor
          group={editing === 'new' ? null : editing}
          areas={areas}
          terminals={list}
          onClose={() => setEditing(null)}
          onDone={done}
        />
      )}
      {deleting && (
        <ConfirmModal
          title={t.groups.deleteTitle}
          message={t.groups.deleteConfirm(deleting.name)}
          confirmLabel={t.groups.delete}
          onConfirm={async () => {
            await del(`/api/terminal-groups/${deleting.id}`);
            toast.ok(t.groups.deleted);
            done();
          }}
          onClose={() => setDeleting(null)}
        />
      )}
    </>
  );
}
