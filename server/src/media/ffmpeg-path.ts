import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface FfmpegTools {
  ffmpeg: string;
  ffprobe: string;
}

type ToolName = keyof FfmpegTools;

const INSTALLER: Record<ToolName, string> = {
  ffmpeg: '@ffmpeg-installer/ffmpeg',
  ffprobe: '@ffprobe-installer/ffprobe',
};

/** Looks the binary up on PATH ourselves: `which` is not on every minimal image, and this spawns nothing. */
export function findOnPath(name: string, envPath = process.env.PATH ?? ''): string | null {
  const exts = process.platform === 'win32' ? ['.exe', ''] : [''];
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      try {
        accessSync(candidate, constants.X_OK);
        if (statSync(candidate).isFile()) return candidate;
      } catch {
        // not here; keep looking
      }
    }
  }
  return null;
}

/**
 * The static build shipped by the npm installer packages. Loaded lazily: the package throws at load time on
 * a platform it has no binary for, which must not matter when a system ffmpeg or an explicit path is used.
 */
function fromInstaller(name: ToolName): string {
  const require = createRequire(import.meta.url);
  try {
    const mod = require(INSTALLER[name]) as { path?: unknown };
    if (typeof mod.path === 'string' && mod.path) return mod.path;
  } catch {
    // fall through to the error below
  }
  throw new Error(`${name} not found: install it on PATH or set its path in the media configuration`);
}

/** An explicit path wins; else a system binary on PATH; else the one from the npm installer package. */
export function resolveFfmpegTools(
  override: { ffmpeg?: string | undefined; ffprobe?: string | undefined } = {},
  envPath = process.env.PATH ?? '',
): FfmpegTools {
  const pick = (name: ToolName) => override[name] || findOnPath(name, envPath) || fromInstaller(name);
  return { ffmpeg: pick('ffmpeg'), ffprobe: pick('ffprobe') };
}
