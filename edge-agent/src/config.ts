import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type AgentConfig, AgentConfigSchema } from '@dlb/protocol';

export class ConfigError extends Error {}

/** Parse and validate a config object; a relative dataDir resolves against `baseDir`. */
export function parseConfig(raw: unknown, baseDir: string): AgentConfig {
  const parsed = AgentConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ConfigError(`配置无效: ${issues}`);
  }
  return { ...parsed.data, dataDir: resolve(baseDir, parsed.data.dataDir) };
}

/** Read the agent's JSON config file. */
export function loadConfig(file: string): AgentConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`无法读取配置文件 ${file}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`配置文件不是合法的 JSON ${file}: ${(err as Error).message}`);
  }
  return parseConfig(raw, dirname(resolve(file)));
}
