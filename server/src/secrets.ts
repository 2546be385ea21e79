import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** A secret made on first start and kept in dataDir (mode 0600), e.g. the server's own MQTT password. */
export function loadOrCreateSecret(dataDir: string, name: string): string {
  const file = path.join(dataDir, 'keys', name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const value = randomBytes(24).toString('base64url');
  writeFileSync(file, value, { mode: 0o600 });
  return value;
}
