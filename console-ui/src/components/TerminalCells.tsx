import type { Terminal } from '../api/types.ts';
import type { AreaIndex } from '../data/areas.ts';
import { fmtAgo, t } from '../i18n/index.ts';
import { Link } from '../router.tsx';
import { StatusBadge } from './ui.tsx';

export function clockText(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return `${ms > 0 ? '+' : ''}${Math.round(ms)} ms`;
}

/** A terminal's row in the overview and terminal lists; `showId` adds the 23-digit id after the name. */
export function TerminalCells({
  x,
  areas,
  now,
  showId = false,
}: {
  x: Terminal;
  areas: AreaIndex | null | undefined;
  now: number;
  showId?: boolean;
}) {
  return (
    <>
      <td>
        <Link to={`/terminals/${x.id}`}>{x.name}</Link>
      </td>
      {showId && <td className="mono small">{x.id}</td>}
      <td>
        {areas?.name(x.townshipCode)} · {areas?.name(x.villageCode)}
      </td>
      <td>
        <StatusBadge {...x} />
      </td>
      <td className="num">{x.state?.volume ?? '—'}</td>
      <td className="num">{clockText(x.state?.clockOffsetMs)}</td>
      <td>{x.online ? t.status.online : fmtAgo(x.lastSeen, now)}</td>
    </>
  );
}
