import { useState } from 'react';
import type { Terminal } from '../api/types.ts';
import { useCan } from '../auth/session.tsx';
import { AreaTree } from '../components/AreaTree.tsx';
import { useTick } from '../components/hooks.ts';
import { TerminalCells } from '../components/TerminalCells.tsx';
import { TerminalMap } from '../components/TerminalMap.tsx';
import { ErrorBox, PageHeader, Panel, terminalStatusKey } from '../components/ui.tsx';
import { useAreas } from '../data/areas.ts';
import { countTerminals, useTerminals } from '../data/terminals.ts';
import { t } from '../i18n/index.ts';
import { navigate } from '../router.tsx';

export function Overview() {
  const can = useCan();
  const terminals = useTerminals();
  const areas = useAreas();
  const now = useTick(5000);
  const [view, setView] = useState<'tree' | 'map'>('tree');
  const [text, setText] = useState('');
  const [status, setStatus] = useState('');
  const [township, setTownship] = useState('');
  const list = terminals.data ?? [];
  const counts = countTerminals(list);
  const visible = (x: Terminal) =>
    (!text || x.name.includes(text) || x.id.includes(text)) &&
    (!status || terminalStatusKey(x) === status) &&
    (!township || x.townshipCode === township);
  const shown = list.filter(visible);
  const open = (x: Terminal) => navigate(`/terminals/${x.id}`);

  return (
    <>
      <PageHeader
        title={
          can.countyWide('terminal.read')
            ? t.overview.title
            : t.overview.titleOf(
                can
                  .townships('terminal.read')
                  .map((c) => areas?.name(c) ?? c)
                  .join('、'),
              )
        }
      />
      <ErrorBox error={terminals.error} />
      <div className="stats" data-testid="counts">
        {(['total', 'online', 'playing', 'offline', 'fault'] as const).map((k) => (
          <div key={k} className={`stat stat-${k}`} data-testid={`count-${k}`}>
            <span className="stat-value">{counts[k]}</span>
            <span className="stat-label">{t.overview.counts[k]}</span>
          </div>
        ))}
      </div>
      <div className="filters">
        <input
          type="search"
          placeholder={t.overview.filterText}
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-label={t.overview.filterText}
        />
        <select
          value={status}
          onChange={(e) => setStatus(e.target.value)}
          aria-label={t.overview.filterStatus}
        >
          <option value="">{`${t.overview.filterStatus}：${t.common.all}`}</option>
          {['online', 'playing', 'offline', 'fault', 'disabled'].map((k) => (
            <option key={k} value={k}>
              {t.status[k]}
            </option>
          ))}
        </select>
        {areas && areas.townships.length > 1 && (
          <select
            value={township}
            onChange={(e) => setTownship(e.target.value)}
            aria-label={t.overview.filterTownship}
          >
            <option value="">{`${t.overview.filterTownship}：${t.common.all}`}</option>
            {areas.townships.map((a) => (
              <option key={a.code} value={a.code}>
                {a.name}
              </option>
            ))}
          </select>
        )}
      </div>
      <div className="split">
        <Panel
          className={view === 'map' ? 'split-side split-side-wide' : 'split-side'}
          title={
            <span className="tabs">
              <button
                type="button"
                className={view === 'tree' ? 'tab active' : 'tab'}
                onClick={() => setView('tree')}
              >
                {t.overview.tree}
              </button>
              <button
                type="button"
                className={view === 'map' ? 'tab active' : 'tab'}
                onClick={() => setView('map')}
              >
                {t.overview.map}
              </button>
            </span>
          }
        >
          {areas &&
            (view === 'tree' ? (
              <AreaTree
                areas={areas}
                terminals={list}
                visible={visible}
                onOpenTerminal={open}
                townships={township ? [township] : undefined}
              />
            ) : (
              <TerminalMap terminals={shown} areas={areas} onOpen={open} />
            ))}
        </Panel>
        <Panel className="split-main" title={`${t.overview.list}（${shown.length}）`}>
          <table className="table" data-testid="terminal-table">
            <thead>
              <tr>
                <th>{t.overview.columns.name}</th>
                <th>{t.overview.columns.village}</th>
                <th>{t.overview.columns.status}</th>
                <th className="num">{t.overview.columns.volume}</th>
                <th className="num">{t.overview.columns.clock}</th>
                <th>{t.overview.columns.lastSeen}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((x) => (
                <tr key={x.id} data-terminal={x.id}>
                  <TerminalCells x={x} areas={areas} now={now} />
                </tr>
              ))}
            </tbody>
          </table>
        </Panel>
      </div>
    </>
  );
}
