/**
 * A real Mosquitto for benchmarks: like test/helpers/mosquitto.ts (password and ACL files the centre writes, a
 * free 127.0.0.1 port), but with a lean log: the tests' `log_type all` writes a debug line per delivered
 * message, which at thousands of subscribers would time the broker's log file, not its fan-out.
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, readFileSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { findMosquitto, mosquittoConfig, mosquittoFileGroup } from '../test/helpers/mosquitto.ts';

export interface BenchMosquitto {
  url: string;
  pid: number;
  pidFile: string;
  logFile: string;
  /** Resident memory of the broker process (kB), from /proc; null if unreadable. */
  rssKb(): Promise<number | null>;
  stop(): Promise<void>;
}

export { mosquittoFileGroup };

function mosquittoIds(): { uid: number; gid: number } | null {
  const f = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('mosquitto:'))
    ?.split(':');
  return f ? { uid: Number(f[2]), gid: Number(f[3]) } : null;
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => res(port));
    });
  });
}

const canConnect = (port: number) =>
  new Promise<boolean>((res) => {
    const s = createConnection({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
  });

export async function startBenchMosquitto(opts: {
  dir: string;
  passwordFile: string;
  aclFile: string;
}): Promise<BenchMosquitto> {
  const bin = findMosquitto();
  if (!bin) throw new Error('mosquitto 未安装：apt-get install -y mosquitto');
  const dir = resolve(opts.dir);
  const confFile = join(dir, 'mosquitto.conf');
  const logFile = join(dir, 'mosquitto.log');
  const pidFile = join(dir, 'mosquitto.pid');
  await writeFile(logFile, '');
  const ids = process.getuid?.() === 0 ? mosquittoIds() : null;
  if (ids) {
    // As root the broker drops to the mosquitto user: it must reach the dir (the bench's own temp dirs, opened
    // up to 0755), read the password/ACL files (group mosquitto, as the centre writes them) and write its log.
    for (let d = dir; d !== dirname(d); d = dirname(d)) {
      if ((statSync(d).mode & 0o005) === 0o005) continue;
      if (!d.includes('dlb-bench-')) throw new Error(`mosquitto 用户无法进入目录 ${d}`);
      chmodSync(d, 0o755);
    }
    for (const f of [opts.passwordFile, opts.aclFile]) {
      chownSync(f, -1, ids.gid);
      chmodSync(f, 0o640);
    }
    chownSync(logFile, ids.uid, ids.gid);
  }
  const port = await freePort();
  await writeFile(confFile, mosquittoConfig(port, opts, logFile, true), { mode: 0o644 });
  const child = spawn(bin, ['-c', confFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const pid = child.pid!;
  await writeFile(pidFile, `${pid}\n`);
  const deadline = Date.now() + 5000;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`mosquitto 启动失败\n${stderr}\n${await readFile(logFile, 'utf8').catch(() => '')}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    pid,
    pidFile,
    logFile,
    rssKb: async () => {
      const m = /VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8').catch(() => ''));
      return m ? Number(m[1]) : null;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      process.removeListener('exit', killOnExit);
    },
  };
}
