import { describe, expect, it } from 'vitest';
import { haversineKm, parseCircle, parsePolygon, pointInCircle, pointInPolygon } from './geo.ts';

const square = parsePolygon('25.4,110.3 25.4,110.36 25.45,110.36 25.45,110.3 25.4,110.3');

describe('geo', () => {
  it('parses a closed CAP polygon, tolerating newlines and extra spaces', () => {
    expect(square).toHaveLength(5);
    expect(parsePolygon('\n 1,2  3,4\n5,6 1,2 \n')).toEqual([
      { lat: 1, lon: 2 },
      { lat: 3, lon: 4 },
      { lat: 5, lon: 6 },
      { lat: 1, lon: 2 },
    ]);
  });

  it('refuses open, short or out-of-range polygons with a reason', () => {
    expect(parsePolygon('1,2 3,4 5,6 7,8')).toMatch(/闭合/);
    expect(parsePolygon('1,2 3,4 1,2')).toMatch(/4 个/);
    expect(parsePolygon('91,2 3,4 5,6 91,2')).toMatch(/格式不正确/);
    expect(parsePolygon('1;2 3,4 5,6 1;2')).toMatch(/格式不正确/);
    expect(parsePolygon('1,2,3 3,4 5,6 1,2,3')).toMatch(/格式不正确/);
  });

  it('ray casting finds points inside and outside, including a concave shape', () => {
    if (typeof square === 'string') throw new Error(square);
    expect(pointInPolygon({ lat: 25.42, lon: 110.33 }, square)).toBe(true);
    expect(pointInPolygon({ lat: 25.46, lon: 110.33 }, square)).toBe(false);
    expect(pointInPolygon({ lat: 25.42, lon: 110.37 }, square)).toBe(false);
    // A "U": the notch between the arms is outside.
    const u = parsePolygon('0,0 0,3 3,3 3,2 1,2 1,1 3,1 3,0 0,0');
    if (typeof u === 'string') throw new Error(u);
    expect(pointInPolygon({ lat: 2, lon: 1.5 }, u)).toBe(false);
    expect(pointInPolygon({ lat: 0.5, lon: 1.5 }, u)).toBe(true);
    expect(pointInPolygon({ lat: 2, lon: 0.5 }, u)).toBe(true);
  });

  it('parses circles and measures by haversine', () => {
    expect(parseCircle('25.3,110.5 2')).toEqual({ lat: 25.3, lon: 110.5, radiusKm: 2 });
    expect(parseCircle('25.3,110.5')).toMatch(/半径/);
    expect(parseCircle('25.3,110.5 -1')).toMatch(/半径/);
    // One degree of latitude is about 111.2 km.
    expect(haversineKm({ lat: 25, lon: 110 }, { lat: 26, lon: 110 })).toBeCloseTo(111.2, 0);
    const c = { lat: 25.3, lon: 110.5, radiusKm: 2 };
    expect(pointInCircle({ lat: 25.31, lon: 110.5 }, c)).toBe(true);
    expect(pointInCircle({ lat: 25.32, lon: 110.5 }, c)).toBe(false);
    expect(pointInCircle({ lat: 25.3, lon: 110.5 }, { ...c, radiusKm: 0 })).toBe(true);
  });
});
