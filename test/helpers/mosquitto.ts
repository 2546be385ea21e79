/**
 * Test harness: a real Mosquitto on a free 127.0.0.1 port, using password and ACL files the caller
 * writes (normally with MosquittoFiles). Shared by every suite that needs an external broker.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { chmod, chown, readFile, stat, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';

export interface RunningMosquitto {
  url: string;
  port: number;
  pid: number;
  /** Holds the broker's pid, for MosquittoFiles' `{ pidFile }` reload. */
  pidFile: string;
  /** The broker's log, handy in failure messages. */
  logFile: string;
  stop(): Promise<void>;
}

const SKIP_MESSAGE = 'mosquitto 未安装：apt-get install -y mosquitto';
const START_TIMEOUT_MS = 5_000;
const STOP_TIMEOUT_MS = 5_000;

export function findMosquitto(): string | null {
  // /usr/sbin is often missing from a non-root PATH, which is where Debian puts the broker.
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/sbin'];
  for (const d of dirs) {
    const p = join(d, 'mosquitto');
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

/** Null when Mosquitto is available; otherwise why a suite skips. In CI a missing broker is an error, never a skip. */
export function requireMosquittoOrSkipReason(): string | null {
  if (findMosquitto()) return null;
  if (process.env.CI) throw new Error(`CI 环境必须安装 Mosquitto，不能跳过测试（${SKIP_MESSAGE}）`);
  return SKIP_MESSAGE;
}

/**
 * Group to give the password/ACL files (MosquittoFiles' `fileGroup`): 'mosquitto' when we are root, since the
 * broker then drops to that user; undefined otherwise (it runs as us and reads our files).
 */
export function mosquittoFileGroup(): string | undefined {
  return process.getuid?.() === 0 && mosquittoIds() ? 'mosquitto' : undefined;
}

function mosquittoIds(): { uid: number; gid: number } | null {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('mosquitto:'));
    const f = line?.split(':');
    return f ? { uid: Number(f[2]), gid: Number(f[3]) } : null;
  } catch {
    return null;
  }
}

export async function startMosquitto(opts: {
  dir: string;
  passwordFile: string;
  aclFile: string;
}): Promise<RunningMosquitto> {
  const bin = findMosquitto();
  if (!bin) throw new Error(SKIP_MESSAGE);
  const dir = resolve(opts.dir);
  const confFile = join(dir, 'mosquitto.conf');
  const logFile = join(dir, 'mosquitto.log');
  const pidFile = join(dir, 'mosquitto.pid');
  await writeFile(logFile, '');
  const ids = process.getuid?.() === 0 ? mosquittoIds() : null;
  if (ids) await openForBroker(dir, [opts.passwordFile, opts.aclFile, confFile], logFile, ids);

  // A port picked then freed can be taken before the broker binds it; try a few.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    await writeFile(confFile, mosquittoConfig(port, opts, logFile), { mode: 0o644 });
    if (ids) await chmod(confFile, 0o644); // re-read on SIGHUP, after root is dropped
    try {
      return await launch(bin, confFile, port, pidFile, logFile);
    } catch (e) {
      lastError = e;
    }
  }
  throw lastError;
}

/**
 * A Mosquitto config with the limits deploy/mosquitto/dlb.conf ships, for the suites and the benchmarks;
 * `quiet` logs only errors, warnings and notices (thousands of connections would flood the log).
 */
export function mosquittoConfig(
  port: number,
  opts: { passwordFile: string; aclFile: string },
  logFile: string,
  quiet = false,
): string {
  return [
    'per_listener_settings false',
    'allow_anonymous false',
    `password_file ${resolve(opts.passwordFile)}`,
    `acl_file ${resolve(opts.aclFile)}`,
    'persistence false',
    'max_packet_size 262144',
    // As deploy/mosquitto/dlb.conf ships it: a short queue per client (offline terminals' commands expire).
    'max_queued_messages 200',
    'max_inflight_messages 1000',
    `log_dest file ${logFile}`,
    ...(quiet ? ['log_type error', 'log_type warning', 'log_type notice'] : ['log_type all']),
    `connection_messages ${quiet ? 'false' : 'true'}`,
    `listener ${port} 127.0.0.1`,
    // Listener-scoped: the client id is the username, so a terminal cannot take over another's session.
    'use_username_as_clientid true',
    '',
  ].join('\n');
}

/**
 * When started as root Mosquitto drops to the mosquitto user, which must then reach the dir, read the files
 * (also on SIGHUP) and write its log. mkdtemp dirs are 0700, so open them up to 0755 up to the temp root;
 * dirs outside it are never touched, only reported.
 */
async function openForBroker(
  dir: string,
  files: string[],
  logFile: string,
  ids: { uid: number; gid: number },
): Promise<void> {
  const tmpRoot = resolve(tmpdir());
  for (let d = dir; ; d = dirname(d)) {
    const mode = (await stat(d)).mode & 0o777;
    if ((mode & 0o005) !== 0o005) {
      const insideTmp = !relative(tmpRoot, d).startsWith('..') && d !== tmpRoot;
      if (!insideTmp)
        throw new Error(
          `mosquitto 用户无法进入目录 ${d}（权限 ${mode.toString(8)}）：请把测试目录放在 ${tmpRoot} 下`,
        );
      await chmod(d, 0o755);
    }
    if (d === dirname(d)) break;
  }
  for (const f of files) {
    if (!existsSync(f)) continue;
    await chown(f, -1, ids.gid);
    await chmod(f, ((await stat(f)).mode & 0o777) | 0o040);
  }
  await chown(logFile, ids.uid, ids.gid);
  await chmod(logFile, 0o640);
}

async function launch(
  bin: string,
  confFile: string,
  port: number,
  pidFile: string,
  logFile: string,
): Promise<RunningMosquitto> {
  const child = spawn(bin, ['-c', confFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  // A failed test must not leave a broker behind when the worker exits.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const pid = child.pid;
  try {
    if (pid === undefined) throw new Error('mosquitto 启动失败');
    await writeFile(pidFile, `${pid}\n`);
    await waitForPort(port, child);
  } catch (e) {
    child.kill('SIGKILL');
    await exited;
    process.removeListener('exit', killOnExit);
    const log = await readFile(logFile, 'utf8').catch(() => '');
    throw new Error(`mosquitto 启动失败：${(e as Error).message}\n${stderr}\n${log}`);
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    pid,
    pidFile,
    logFile,
    stop: () => stop(child, exited, killOnExit),
  };
}

async function stop(child: ChildProcess, exited: Promise<void>, killOnExit: () => void): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
  process.removeListener('exit', killOnExit);
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`进程已退出（${child.exitCode ?? child.signalCode}）`);
    }
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${START_TIMEOUT_MS} ms 内未监听端口 ${port}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((res) => {
    const sock = createConnection({ port, host: '127.0.0.1' });
    sock.once('connect', () => {
      sock.destroy();
      res(true);
    });
    sock.once('error', () => res(false));
  });
}
