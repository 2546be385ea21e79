import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AgentConfig, type AgentConfigInput, AgentConfigSchema, makeTerminalId } from '@dlb/protocol';
import type { TestKey } from './commands.ts';

export const VILLAGE = '450323101201';
export const TOWNSHIP = VILLAGE.slice(0, 9);
export const COUNTY = VILLAGE.slice(0, 6);

export function tempDir(prefix = 'dlb-agent-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function makeConfig(
  p: {
    brokerUrl: string;
    serverUrl: string;
    key: TestKey;
    dataDir: string;
    seq?: number;
  } & Partial<AgentConfigInput>,
): AgentConfig {
  const { brokerUrl, serverUrl, key, seq, ...rest } = p;
  const terminalId = makeTerminalId(VILLAGE, seq ?? 1);
  return AgentConfigSchema.parse({
    terminalId,
    serverUrl,
    mqtt: { url: brokerUrl, username: terminalId, password: 'secret-password' },
    mediaToken: 'media-token-0123456789',
    areaChain: [COUNTY, TOWNSHIP, VILLAGE],
    groups: ['flood-team'],
    serverKeys: [{ kid: key.kid, publicKey: key.publicKey }],
    reconnect: { minMs: 50, maxMs: 400 },
    stateIntervalMs: 60_000,
    ...rest,
  });
}

/** Resolve when `predicate` holds, polling every 10 ms; reject after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
