import { useState } from 'react';
import type { Terminal, TerminalGroup } from '../api/types.ts';
import type { AreaIndex } from '../data/areas.ts';
import { useGroups } from '../data/groups.ts';
import { t } from '../i18n/index.ts';
import { GroupChecks } from './GroupChecks.tsx';
import { ErrorBox } from './ui.tsx';

/**
 * 立即播发's "按分组选择": choosing a group adds its members to the terminals chosen in the tree, except those
 * the tree would not let the user choose (`blocked`, e.g. outside their broadcast.send scope) or that are not
 * enabled; un-choosing removes the members no other chosen group holds. A group stays ticked while all its
 * usable members are chosen (unticking one in the tree unticks the group). Nothing is shown without groups.
 */
export function BroadcastGroups({
  areas,
  terminals,
  chosen,
  onChange,
  blocked,
}: {
  areas: AreaIndex;
  terminals: Terminal[];
  chosen: Set<string>;
  onChange: (next: Set<string>) => void;
  blocked: (tid: string) => boolean;
}) {
  const groups = useGroups();
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const list = groups.data ?? [];
  const byId = new Map(terminals.map((x) => [x.id, x]));
  const outside = (tid: string) => !byId.has(tid) || blocked(tid);
  const usable = (g: TerminalGroup) => g.terminalIds.filter((tid) => !outside(tid) && byId.get(tid)!.enabled);
  const on = new Set(
    list.filter((g) => picked.has(g.id) && usable(g).every((tid) => chosen.has(tid))).map((g) => g.id),
  );

  const change = (next: Set<string>) => {
    const sel = new Set(chosen);
    const held = new Set(list.filter((g) => next.has(g.id)).flatMap(usable));
    for (const g of list) {
      if (next.has(g.id) && !on.has(g.id)) for (const tid of usable(g)) sel.add(tid);
      if (!next.has(g.id) && on.has(g.id)) for (const tid of usable(g)) if (!held.has(tid)) sel.delete(tid);
    }
    setPicked(next);
    onChange(sel);
  };

  if (list.length === 0) return <ErrorBox error={groups.error} />;
  const members = new Set(list.filter((g) => on.has(g.id)).flatMap((g) => g.terminalIds));
  const away = [...members].filter(outside).length;
  const off = [...members].filter((tid) => !outside(tid) && !byId.get(tid)!.enabled).length;
  return (
    <div className="broadcast-groups" data-testid="broadcast-groups">
      <span className="broadcast-groups-title">{t.broadcast.byGroup}</span>
      <GroupChecks groups={list} areas={areas} selected={on} onChange={change} />
      {members.size > 0 && (
        <p className="muted small" data-testid="group-note">
          {t.broadcast.groupPicked(members.size - away - off, away, off)}
        </p>
      )}
    </div>
  );
}
