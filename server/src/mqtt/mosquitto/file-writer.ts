import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { buildAclFile, buildPasswordFile } from './acl-file.ts';

const execFileAsync = promisify(execFile);

export type MosquittoReload = { pidFile: string } | { command: string; args: string[] };

export interface MosquittoFilesOptions {
  passwordFile: string;
  aclFile: string;
  /** Group to chown the files to (e.g. 'mosquitto'): Debian's broker drops root and must still read them. */
  fileGroup?: string;
  /** Defaults to 0o640: the files name every terminal, so not world-readable. */
  mode?: number;
  /** How to make the broker re-read the files; omitted, the files are only written. */
  reload?: MosquittoReload;
}

export interface MosquittoFilesInput {
  serverUser: string;
  serverHash: string;
  terminals: Array<{ tid: string; hash: string; areaChain: string[]; groups: string[]; enabled: boolean }>;
}

const RELOAD_TIMEOUT_MS = 10_000;

/** Writes Mosquitto's password and ACL files atomically and makes the broker reload them. */
export class MosquittoFiles {
  private readonly mode: number;
  private gid: Promise<number> | undefined;
  // Writes run one after another: two registrations must never interleave their renames and reloads.
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly opts: MosquittoFilesOptions) {
    this.mode = opts.mode ?? 0o640;
  }

  /** From the centre's `mqtt.mosquitto` settings; null when it writes no files. */
  static fromConfig(
    m:
      | {
          passwordFile: string;
          aclFile: string;
          fileGroup?: string;
          reloadPidFile?: string;
          reloadCommand?: string[];
        }
      | undefined,
  ): MosquittoFiles | null {
    if (!m) return null;
    const reload: MosquittoReload | undefined = m.reloadPidFile
      ? { pidFile: m.reloadPidFile }
      : m.reloadCommand
        ? { command: m.reloadCommand[0]!, args: m.reloadCommand.slice(1) }
        : undefined;
    return new MosquittoFiles({
      passwordFile: m.passwordFile,
      aclFile: m.aclFile,
      ...(m.fileGroup !== undefined && { fileGroup: m.fileGroup }),
      ...(reload && { reload }),
    });
  }

  write(input: MosquittoFilesInput): Promise<void> {
    const run = this.queue.then(() => this.writeNow(input));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async writeNow(input: MosquittoFilesInput): Promise<void> {
    // Disabled terminals are left out of both files, so the broker refuses their login.
    const enabled = input.terminals.filter((t) => t.enabled);
    // Build both first: an invalid id must fail before anything on disk changes.
    const acl = buildAclFile({ serverUser: input.serverUser, terminals: enabled });
    const passwords = buildPasswordFile([
      { username: input.serverUser, hash: input.serverHash },
      ...enabled.map((t) => ({ username: t.tid, hash: t.hash })),
    ]);
    const gid = this.opts.fileGroup === undefined ? -1 : await this.resolveGid(this.opts.fileGroup);
    await this.writeAtomic(this.opts.aclFile, acl, gid);
    await this.writeAtomic(this.opts.passwordFile, passwords, gid);
    if (this.opts.reload) await reloadBroker(this.opts.reload);
  }

  private async writeAtomic(path: string, content: string, gid: number): Promise<void> {
    // Same directory as the target, so rename() is atomic and the broker never reads half a file.
    const tmp = join(
      dirname(path),
      `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
    );
    try {
      const fh = await open(tmp, 'wx', this.mode);
      try {
        await fh.writeFile(content, 'utf8');
        await fh.sync();
      } finally {
        await fh.close();
      }
      await chmod(tmp, this.mode); // open() honours the umask; the mode asked for is the one wanted
      if (gid !== -1) await chown(tmp, -1, gid);
      await rename(tmp, path);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw new Error(`写入 Mosquitto 文件失败：${path}：${(e as Error).message}`, { cause: e });
    }
  }

  private resolveGid(group: string): Promise<number> {
    // Cached once found; a failed look-up is retried next time (the group may be created meanwhile).
    this.gid ??= lookupGid(group).catch((e: unknown) => {
      this.gid = undefined;
      throw e;
    });
    return this.gid;
  }
}

/** A group name (or a numeric gid) to a gid, from /etc/group, then `getent` for NSS-provided groups. */
async function lookupGid(group: string): Promise<number> {
  if (/^\d+$/.test(group)) return Number(group);
  const fromFile = (await readFile('/etc/group', 'utf8').catch(() => ''))
    .split('\n')
    .map((l) => l.split(':'))
    .find((f) => f[0] === group)?.[2];
  if (fromFile && /^\d+$/.test(fromFile)) return Number(fromFile);
  try {
    const { stdout } = await execFileAsync('getent', ['group', group], { timeout: RELOAD_TIMEOUT_MS });
    const gid = stdout.split(':')[2];
    if (gid && /^\d+$/.test(gid)) return Number(gid);
  } catch {
    // fall through to the error below
  }
  throw new Error(`找不到用户组 ${group}：无法设置 Mosquitto 文件的属组`);
}

async function reloadBroker(reload: MosquittoReload): Promise<void> {
  if ('pidFile' in reload) {
    let text: string;
    try {
      text = await readFile(reload.pidFile, 'utf8');
    } catch (e) {
      throw new Error(
        `无法重新加载 Mosquitto：读取 pid 文件 ${reload.pidFile} 失败：${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
    const pid = Number(text.trim());
    // Never pid 1: a stale or wrong file must not send SIGHUP to init (use the command form in such setups).
    if (!Number.isInteger(pid) || pid <= 1) {
      throw new Error(
        `无法重新加载 Mosquitto：pid 文件 ${reload.pidFile} 内容无效：${JSON.stringify(text.trim())}`,
      );
    }
    try {
      process.kill(pid, 'SIGHUP');
    } catch (e) {
      throw new Error(`无法重新加载 Mosquitto：向进程 ${pid} 发送 SIGHUP 失败：${(e as Error).message}`, {
        cause: e,
      });
    }
    return;
  }
  try {
    await execFileAsync(reload.command, reload.args, { timeout: RELOAD_TIMEOUT_MS });
  } catch (e) {
    const err = e as Error & { stderr?: string };
    const detail = err.stderr?.trim() || err.message;
    throw new Error(`无法重新加载 Mosquitto：${[reload.command, ...reload.args].join(' ')} 失败：${detail}`, {
      cause: e,
    });
  }
}
