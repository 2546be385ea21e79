import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALERT_LEVELS } from '@dlb/protocol';
import { z } from 'zod';
import { AzureConfigSchema } from './tts/azure/azure-provider.ts';

/**
 * Server configuration: defaults < config file (DLB_CONFIG or ./dlb.config.json) < environment.
 * Defaults run a whole centre on one machine: embedded broker, SQLite in ./data, ffmpeg from npm.
 */
/** The schedule file that ships with the project (schedules/default.yaml at the repository root). */
export const DEFAULT_SCHEDULE_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'schedules',
  'default.yaml',
);

export const ConfigSchema = z.object({
  dataDir: z.string().default('./data'),
  timezone: z.literal('Asia/Shanghai').default('Asia/Shanghai'),
  http: z
    .object({
      host: z.string().default('0.0.0.0'),
      port: z.number().int().min(0).max(65535).default(8080),
      /** Address terminals use to reach this server (media, clock); written into agent configs. Default: loopback. */
      publicUrl: z.url().optional(),
      /** Largest JSON body accepted. */
      maxJsonBytes: z
        .number()
        .int()
        .positive()
        .default(256 * 1024),
    })
    .prefault({}),
  mqtt: z
    .object({
      mode: z.enum(['embedded', 'external']).default('embedded'),
      /** Embedded broker listener. */
      host: z.string().default('0.0.0.0'),
      port: z.number().int().min(0).max(65535).default(1883),
      /** Broker address terminals use; written into agent configs. Default: the external url, or loopback. */
      publicUrl: z.string().optional(),
      /** External broker the server connects to as `serverUser`. */
      url: z.string().optional(),
      serverUser: z.string().default('dlb-server'),
      /** For external brokers; embedded mode generates and keeps one in dataDir. */
      serverPassword: z.string().optional(),
      /** When set, the server writes Mosquitto password/ACL files on every credential change. */
      mosquitto: z
        .object({
          passwordFile: z.string(),
          aclFile: z.string(),
          fileGroup: z.string().optional(),
          reloadPidFile: z.string().optional(),
          reloadCommand: z.array(z.string()).min(1).optional(),
        })
        .optional(),
    })
    .prefault({}),
  media: z
    .object({
      maxUploadBytes: z
        .number()
        .int()
        .positive()
        .default(50 * 1024 * 1024),
      maxDurationSec: z
        .number()
        .int()
        .positive()
        .default(30 * 60),
      ffmpegPath: z.string().optional(),
      ffprobePath: z.string().optional(),
    })
    .prefault({}),
  auth: z
    .object({
      /** Absolute lifetime of a login session, however busy it is. */
      sessionTtlHours: z.number().positive().default(12),
      /** A session unused for this long ends (its last use is recorded at most once a minute). */
      idleMinutes: z
        .number()
        .int()
        .min(1)
        .max(7 * 24 * 60)
        .default(120),
      /** First-start admin password; if absent one is generated and printed once. */
      adminPassword: z.string().min(10).optional(),
      /**
       * Lock-out by the name typed (existing or not): `maxFailures` failed logins within `windowMinutes`
       * lock the name for `lockMinutes`, during which even the right password is refused.
       */
      lockout: z
        .object({
          maxFailures: z.number().int().min(1).max(100).default(5),
          windowMinutes: z
            .number()
            .int()
            .min(1)
            .max(24 * 60)
            .default(15),
          lockMinutes: z
            .number()
            .int()
            .min(1)
            .max(24 * 60)
            .default(15),
        })
        .prefault({}),
    })
    .prefault({}),
  broadcast: z
    .object({
      /** How long a "broadcast now" command stays valid on terminals. */
      commandTtlSec: z.number().int().positive().default(600),
    })
    .prefault({}),
  emergency: z
    .object({
      /**
       * Levels whose county-wide alerts wait for a second emergency officer's confirmation before they sound.
       * Off by default: an alert must not be held up unless the county chose so.
       */
      confirmCountyWide: z.array(z.enum(ALERT_LEVELS)).default([]),
      /** Longest validity an alert may be given. */
      maxHours: z
        .number()
        .int()
        .min(1)
        .max(24 * 14)
        .default(72),
    })
    .prefault({}),
  tts: z
    .object({
      /** Azure Speech; absent: every voice is spoken by the embedded offline engine. */
      /** Azure Speech (key and region, endpoint or host); absent: every voice is spoken offline. */
      azure: AzureConfigSchema.nullable().default(null),
      /** When Azure is not configured or fails, speak with the offline engine (the item records which). */
      fallback: z.boolean().default(true),
    })
    .prefault({}),
  render: z
    .object({
      /** The county's own opening and closing chimes (audio files, at most 15 s); default: generated ones. */
      chimeOpen: z.string().nullable().default(null),
      chimeClose: z.string().nullable().default(null),
      timeoutSec: z.number().int().min(10).max(3600).default(600),
    })
    .prefault({}),
  schedule: z
    .object({
      /** The slot definitions (YAML); re-read when it changes. */
      file: z.string().default(DEFAULT_SCHEDULE_FILE),
      /** Silence between consecutive items of a programme. */
      itemGapMs: z.number().int().min(0).max(60_000).default(1000),
      /** How late a terminal may still start an entry; later it skips it (its neighbours already played it). */
      lateToleranceMs: z.number().int().min(0).max(600_000).default(3000),
      /** How far ahead each terminal's target reaches. */
      windowHours: z.number().int().min(24).max(168).default(48),
      /** node-cron expression (in the schedule's zone) for rolling every target forward. */
      refreshCron: z.string().default('5 * * * *'),
    })
    .prefault({}),
  /** Import the bundled sample county (Lingchuan, 12 townships) on first start when no areas exist. */
  sampleCounty: z.boolean().default(true),
});
export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

type Env = Record<string, string | undefined>;

function intEnv(env: Env, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`环境变量 ${name} 须为整数，当前为 "${v}"`);
  return n;
}

/** Environment variables documented in the README. */
function fromEnv(env: Env): ConfigInput {
  const maxUploadMb = intEnv(env, 'DLB_MAX_UPLOAD_MB');
  return {
    dataDir: env.DLB_DATA_DIR,
    http: { host: env.DLB_HTTP_HOST, port: intEnv(env, 'DLB_HTTP_PORT'), publicUrl: env.DLB_PUBLIC_URL },
    mqtt: {
      mode: env.DLB_MQTT_MODE as 'embedded' | 'external' | undefined,
      port: intEnv(env, 'DLB_MQTT_PORT'),
      publicUrl: env.DLB_MQTT_PUBLIC_URL,
      url: env.DLB_MQTT_URL,
      serverPassword: env.DLB_MQTT_SERVER_PASSWORD,
    },
    media: { maxUploadBytes: maxUploadMb ? maxUploadMb * 1024 * 1024 : undefined },
    auth: { adminPassword: env.DLB_ADMIN_PASSWORD },
    ...(env.DLB_AZURE_SPEECH_KEY && {
      tts: {
        azure: {
          key: env.DLB_AZURE_SPEECH_KEY,
          region: env.DLB_AZURE_SPEECH_REGION,
          endpoint: env.DLB_AZURE_SPEECH_ENDPOINT,
        },
      },
    }),
    schedule: { file: env.DLB_SCHEDULE_FILE },
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge where `undefined` in the override keeps the base value. */
export function mergeConfig(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) out[k] = mergeConfig(base[k], v);
  return out;
}

export function loadConfig(opts: { env?: Env; cwd?: string; overrides?: ConfigInput } = {}): Config {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const file = env.DLB_CONFIG ?? path.join(cwd, 'dlb.config.json');
  let fileConfig: unknown = {};
  if (existsSync(file)) {
    try {
      fileConfig = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new Error(`配置文件 ${file} 不是合法的 JSON: ${(e as Error).message}`);
    }
  } else if (env.DLB_CONFIG) {
    throw new Error(`配置文件不存在: ${file}`);
  }
  const merged = mergeConfig(mergeConfig(fileConfig, fromEnv(env)), opts.overrides ?? {});
  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${i.path.join('.') || '(根)'}: ${i.message}`).join('; ');
    throw new Error(`配置无效 (${file}): ${msg}`);
  }
  const config = parsed.data;
  return {
    ...config,
    dataDir: path.resolve(cwd, config.dataDir),
    schedule: { ...config.schedule, file: path.resolve(cwd, config.schedule.file) },
  };
}
