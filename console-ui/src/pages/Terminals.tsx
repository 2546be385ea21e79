import { useState } from 'react';
import { post } from '../api/client.ts';
import type { Terminal } from '../api/types.ts';
import { useCan } from '../auth/session.tsx';
import { useAction, useTick } from '../components/hooks.ts';
import { TerminalCells } from '../components/TerminalCells.tsx';
import { useToast } from '../components/toast.tsx';
import { DialogActions, downloadJson, ErrorBox, Field, Modal, PageHeader, Panel } from '../components/ui.tsx';
import { type AreaIndex, useAreas } from '../data/areas.ts';
import { useTerminals } from '../data/terminals.ts';
import { t } from '../i18n/index.ts';
import { navigate } from '../router.tsx';

/** Registers a terminal under a village and downloads its agent config (secrets shown this once). */
function RegisterTerminal({
  areas,
  onClose,
  onDone,
}: {
  areas: AreaIndex;
  onClose: () => void;
  onDone: () => void;
}) {
  const can = useCan();
  const toast = useToast();
  const townships = areas.townships.filter((a) => can.canAt('terminal.manage', a.code));
  const [township, setTownship] = useState(townships[0]?.code ?? '');
  const villages = areas.villagesOf(township);
  const [village, setVillage] = useState('');
  const [name, setName] = useState('');
  const act = useAction(async () => {
    const r = await post<{ terminal: Terminal; agentConfig: unknown }>('/api/terminals', {
      villageCode: village,
      ...(name.trim() ? { name: name.trim() } : {}),
    });
    downloadJson(`agent-${r.terminal.id}.json`, r.agentConfig);
    toast.ok(t.terminals.registered);
    onDone();
    navigate(`/terminals/${r.terminal.id}`);
  });
  return (
    <Modal title={t.terminals.register} onClose={onClose}>
      <div className="form">
        <Field label={t.overview.filterTownship}>
          <select
            value={township}
            onChange={(e) => {
              setTownship(e.target.value);
              setVillage('');
            }}
          >
            {townships.map((a) => (
              <option key={a.code} value={a.code}>
                {a.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t.terminals.village}>
          <select name="village" value={village} onChange={(e) => setVillage(e.target.value)}>
            <option value="">—</option>
            {villages.map((v) => (
              <option key={v.code} value={v.code}>
                {v.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t.terminals.name}>
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} />
        </Field>
        <ErrorBox error={act.error} />
        <DialogActions act={act} label={t.terminals.register} disabled={!village} onClose={onClose} />
      </div>
    </Modal>
  );
}

export function Terminals() {
  const can = useCan();
  const areas = useAreas();
  const terminals = useTerminals();
  const now = useTick(5000);
  const [registering, setRegistering] = useState(false);
  const [text, setText] = useState('');
  const list = (terminals.data ?? []).filter((x) => !text || x.name.includes(text) || x.id.includes(text));
  return (
    <>
      <PageHeader title={t.terminals.title}>
        <input
          type="search"
          value={text}
          placeholder={t.overview.filterText}
          onChange={(e) => setText(e.target.value)}
        />
        {can.can('terminal.manage') && (
          <button type="button" className="btn btn-primary" onClick={() => setRegistering(true)}>
            {t.terminals.register}
          </button>
        )}
      </PageHeader>
      <ErrorBox error={terminals.error} />
      <Panel>
        <table className="table">
          <thead>
            <tr>
              <th>{t.overview.columns.name}</th>
              <th>{t.terminals.fields.id}</th>
              <th>{t.overview.columns.village}</th>
              <th>{t.overview.columns.status}</th>
              <th className="num">{t.overview.columns.volume}</th>
              <th className="num">{t.overview.columns.clock}</th>
              <th>{t.overview.columns.lastSeen}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((x) => (
              <tr key={x.id}>
                <TerminalCells x={x} areas={areas} now={now} showId />
              </tr>
            ))}
          </tbody>
        </table>
      </Panel>
      {registering && areas && (
        <RegisterTerminal
          areas={areas}
          onClose={() => setRegistering(false)}
          onDone={() => void terminals.reload()}
        />
      )}
    </>
  );
}
