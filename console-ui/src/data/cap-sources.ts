import { get } from '../api/client.ts';
import type { CapAction, CapSeverity, CapSource } from '../api/types.ts';
import { type Loaded, useLoad } from '../components/hooks.ts';

/** CAP 1.2 severities, most severe first. */
export const CAP_SEVERITIES: CapSeverity[] = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'];

/** The centre's default policy (server/src/emergency/cap-sources.ts): severe and extreme sound at once. */
export const DEFAULT_CAP_POLICY: Record<CapSeverity, CapAction> = {
  Extreme: 'sound',
  Severe: 'sound',
  Moderate: 'confirm',
  Minor: 'confirm',
  Unknown: 'confirm',
};

/** The registered department sources (county administrators only: `cap.manage`). */
export function useCapSources(): Loaded<CapSource[]> {
  return useLoad(() => get<{ sources: CapSource[] }>('/api/cap-sources').then((r) => r.sources), []);
}

/** Where department systems post their CAP XML, on the centre the console was loaded from. */
export const capEndpoint = () => `${window.location.origin}/api/cap`;

/** The HTTP request a department system sends with its credential (`<source id>:<secret>`). */
export function capRequestHeaders(credential: string): string {
  return [
    `POST ${capEndpoint()}`,
    `Authorization: Bearer ${credential}`,
    'Content-Type: application/xml',
  ].join('\n');
}
