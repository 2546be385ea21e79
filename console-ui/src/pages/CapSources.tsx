import { useState } from 'react';
import { post } from '../api/client.ts';
import type { CapSource } from '../api/types.ts';
import { RegisterCapSource } from '../components/CapSourceForm.tsx';
import { useToast } from '../components/toast.tsx';
import { Badge, ConfirmModal, Empty, ErrorBox, PageHeader, Panel } from '../components/ui.tsx';
import { type AreaIndex, useAreas } from '../data/areas.ts';
import { CAP_SEVERITIES, useCapSources } from '../data/cap-sources.ts';
import { scopeLabel } from '../data/groups.ts';
import { useTerminals } from '../data/terminals.ts';
import { fmtDateTime, t } from '../i18n/index.ts';

const T = t.capSources;

/** What each severity does, one line each: "特别严重：立即播发". */
function PolicyList({ policy }: { policy: CapSource['policy'] }) {
  return (
    <ul className="cap-policy">
      {CAP_SEVERITIES.map((s) => (
        <li key={s} data-severity={s} className={`cap-policy-${policy[s]}`}>
          {T.severities[s]}：{T.actions[policy[s]]}
        </li>
      ))}
    </ul>
  );
}

function SourceRow({
  source,
  areas,
  onDisable,
}: {
  source: CapSource;
  areas: AreaIndex | null;
  onDisable: () => void;
}) {
  return (
    <tr data-source={source.id}>
      <td>
        <div className="cap-source-name">{source.name}</div>
        <div className="mono small muted">{source.id}</div>
      </td>
      <td className="cap-source-areas">{source.allowedCodes.map((c) => scopeLabel(areas, c)).join('、')}</td>
      <td>
        <PolicyList policy={source.policy} />
      </td>
      <td className="cap-source-state">
        {source.disabled ? (
          <Badge kind="disabled">{T.disabled}</Badge>
        ) : (
          <Badge kind="online">{T.enabled}</Badge>
        )}
      </td>
      <td className="nowrap">{fmtDateTime(source.createdAt)}</td>
      <td className="actions">
        {!source.disabled && (
          <button type="button" className="btn btn-small btn-danger-outline" onClick={onDisable}>
            {T.disable}
          </button>
        )}
      </td>
    </tr>
  );
}

/** Department systems (CAP 1.2 feeds) registered with the centre: county administrators only (`cap.manage`). */
export function CapSources() {
  const toast = useToast();
  const areas = useAreas();
  const terminals = useTerminals();
  const sources = useCapSources();
  const [registering, setRegistering] = useState(false);
  const [disabling, setDisabling] = useState<CapSource | null>(null);
  const list = sources.data ?? [];
  return (
    <>
      <PageHeader title={T.title}>
        <button
          type="button"
          className="btn btn-primary"
          disabled={!areas}
          onClick={() => setRegistering(true)}
        >
          {T.register}
        </button>
      </PageHeader>
      <p className="muted">{T.hint}</p>
      <ErrorBox error={sources.error} />
      <Panel>
        {sources.data && list.length === 0 ? (
          <Empty>{T.empty}</Empty>
        ) : (
          <table className="table" data-testid="cap-sources">
            <thead>
              <tr>
                <th>{T.name}</th>
                <th>{T.areas}</th>
                <th>{T.policy}</th>
                <th>{T.state}</th>
                <th>{T.createdAt}</th>
                <th>{t.common.actions}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((s) => (
                <SourceRow key={s.id} source={s} areas={areas} onDisable={() => setDisabling(s)} />
              ))}
            </tbody>
          </table>
        )}
      </Panel>
      {registering && areas && (
        <RegisterCapSource
          areas={areas}
          terminals={terminals.data ?? []}
          onClose={() => setRegistering(false)}
          onCreated={() => void sources.reload()}
        />
      )}
      {disabling && (
        <ConfirmModal
          title={T.disableTitle}
          message={T.disableConfirm(disabling.name)}
          confirmLabel={T.disable}
          onConfirm={async () => {
            await post(`/api/cap-sources/${disabling.id}/disable`);
            toast.ok(T.disabledToast(disabling.name));
            setDisabling(null);
            void sources.reload();
          }}
          onClose={() => setDisabling(null)}
        />
      )}
    </>
  );
}
