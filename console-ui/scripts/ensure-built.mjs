#!/usr/bin/env node
// Builds the console (vite build → console-ui/dist) when dist is missing or older than its sources.
// Used by `npm start` (so a fresh clone needs only `npm install`) and by the browser tests.
// `--force` always builds. `--soft`: a failed build is reported but exits 0, so the centre still starts (its API
// works, and / explains how to build the console). Exit code: 0 built or up to date, 1 the build failed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'dist', 'index.html');
const SOURCES = ['src', 'index.html', 'vite.config.ts', 'package.json', 'tsconfig.json'];

function newest(p) {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = st.mtimeMs;
  for (const e of readdirSync(p)) m = Math.max(m, newest(path.join(p, e)));
  return m;
}

export function consoleIsStale() {
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  return SOURCES.some((s) => newest(path.join(root, s)) > built);
}

const force = process.argv.includes('--force');
if (force || consoleIsStale()) {
  console.log(existsSync(stamp) ? '控制台源码已更新，正在重新构建…' : '正在构建控制台（首次启动）…');
  const vite = path.resolve(root, '..', 'node_modules', 'vite', 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    const soft = process.argv.includes('--soft');
    console.error(`控制台构建失败（见上方输出）${soft ? '；控制中心照常启动，网页 / 将显示构建说明' : ''}。`);
    process.exit(soft ? 0 : 1);
  }
  console.log('控制台已构建：console-ui/dist');
}
