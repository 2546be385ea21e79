import type { Terminal } from '../api/types.ts';
import type { AreaIndex } from '../data/areas.ts';
import { t } from '../i18n/index.ts';
import { terminalStatusKey } from './ui.tsx';

const W = 640;
const H = 440;
const PAD = 40;

/**
 * Terminals with coordinates drawn on a plain plane (the centre runs offline: no map tiles), north up,
 * coloured by status; hover names them.
 */
export function TerminalMap({
  terminals,
  areas,
  onOpen,
}: {
  terminals: Terminal[];
  areas: AreaIndex;
  onOpen?: (tm: Terminal) => void;
}) {
  const located = terminals.filter((x) => x.location);
  if (located.length === 0) return <div className="empty">{t.overview.noCoordinates}</div>;
  const lats = located.map((x) => x.location!.lat);
  const lons = located.map((x) => x.location!.lon);
  const [minLat, maxLat] = [Math.min(...lats), Math.max(...lats)];
  const [minLon, maxLon] = [Math.min(...lons), Math.max(...lons)];
  const span = Math.max(maxLat - minLat, maxLon - minLon, 0.01);
  const sx = (lon: number) => PAD + ((lon - minLon) / span) * (W - 2 * PAD);
  const sy = (lat: number) => H - PAD - ((lat - minLat) / span) * (H - 2 * PAD);
  return (
    <svg className="map" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={t.overview.map}>
      <rect x={0} y={0} width={W} height={H} className="map-bg" />
      <text x={W - 16} y={28} textAnchor="end" className="map-north">
        {t.overview.north}
      </text>
      {located.map((x) => {
        const cx = sx(x.location!.lon);
        const cy = sy(x.location!.lat);
        return (
          // biome-ignore lint/a11y/useSemanticElements: an SVG mark cannot be a <button>
          <g
            key={x.id}
            role="button"
            tabIndex={0}
            onClick={() => onOpen?.(x)}
            onKeyDown={(e) => e.key === 'Enter' && onOpen?.(x)}
            className="map-point"
          >
            <title>{`${x.name}（${areas.name(x.townshipCode)}）${t.status[terminalStatusKey(x)]}`}</title>
            <circle cx={cx} cy={cy} r={10} className={`dot-${terminalStatusKey(x)}`} />
            <text
              x={cx > W * 0.6 ? cx - 12 : cx + 12}
              y={cy + 5}
              textAnchor={cx > W * 0.6 ? 'end' : 'start'}
              className="map-label"
            >
              {x.name}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
