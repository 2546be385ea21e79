/**
 * The small amount of geometry CAP needs: WGS 84 polygons ("lat,lon lat,lon ...", closed, at least 4 pairs)
 * and circles ("lat,lon radiusKm"). A county is small, so a planar ray cast on lat/lon is accurate enough;
 * polygons crossing the antimeridian are not handled (none reach a Chinese county).
 */

export interface LatLon {
  lat: number;
  lon: number;
}

export interface Circle extends LatLon {
  radiusKm: number;
}

const EARTH_RADIUS_KM = 6371.0088;
const NUM = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

function parsePair(s: string): LatLon | null {
  const parts = s.split(',');
  if (parts.length !== 2 || !NUM.test(parts[0]!) || !NUM.test(parts[1]!)) return null;
  const lat = Number(parts[0]);
  const lon = Number(parts[1]);
  if (lat < -90 || lat > 90 || lon < -180 || lon > 180) return null;
  return { lat, lon };
}

/** A CAP polygon, or a Chinese reason it is not one. */
export function parsePolygon(s: string): LatLon[] | string {
  const tokens = s.trim().split(/\s+/).filter(Boolean);
  if (tokens.length < 4) return '多边形至少要有 4 个坐标点（首尾相同）';
  const points: LatLon[] = [];
  for (const t of tokens) {
    const p = parsePair(t);
    if (!p) return `坐标“${t.slice(0, 40)}”格式不正确，须为“纬度,经度”`;
    points.push(p);
  }
  const first = points[0]!;
  const last = points[points.length - 1]!;
  if (first.lat !== last.lat || first.lon !== last.lon) return '多边形首尾坐标须相同（闭合）';
  return points;
}

/** A CAP circle, or a Chinese reason it is not one. */
export function parseCircle(s: string): Circle | string {
  const tokens = s.trim().split(/\s+/);
  const p = tokens.length === 2 ? parsePair(tokens[0]!) : null;
  if (!p || !NUM.test(tokens[1]!)) return '圆形区域须为“纬度,经度 半径公里”';
  const radiusKm = Number(tokens[1]);
  if (radiusKm < 0) return '圆形区域半径不能为负';
  return { ...p, radiusKm };
}

/** Ray casting with longitude as x and latitude as y; points exactly on an edge may fall either way. */
export function pointInPolygon(p: LatLon, ring: readonly LatLon[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i]!;
    const b = ring[j]!;
    if (a.lat > p.lat !== b.lat > p.lat) {
      const lonAtLat = a.lon + ((p.lat - a.lat) * (b.lon - a.lon)) / (b.lat - a.lat);
      if (p.lon < lonAtLat) inside = !inside;
    }
  }
  return inside;
}

export function haversineKm(a: LatLon, b: LatLon): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Inclusive, so a radius-0 circle (an epicentre) still holds a terminal standing exactly on it. */
export function pointInCircle(p: LatLon, c: Circle): boolean {
  return haversineKm(p, c) <= c.radiusKm + 1e-9;
}
