import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import type { Db } from '../db/database.ts';
import type { AuditLog } from './audit-log.ts';
import {
  AUDIT_PROBLEM_LABELS,
  type AuditHead,
  type AuditVerifyResult,
  shanghaiTime,
  verifyAuditChain,
} from './audit-verify.ts';

export type { AuditHead } from './audit-verify.ts';

/*
 * The head file: the seq and hash of the last entry, kept beside the database. A hash chain cut short is
 * still a valid chain, so deleting the last entries (or rewriting them) is only visible against a record of
 * where the chain ended. It guards against whoever edits the database alone (or restores an old copy of
 * it); someone who rewrites both files consistently is caught only by a copy kept elsewhere (the log line
 * the centre writes at start).
 */

/** The head file cannot be read or is not a head. */
export class AuditHeadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditHeadError';
  }
}

/** The head file's content, or null when there is none; a file that cannot be read or parsed throws. */
export function readAuditHead(file: string): AuditHead | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new AuditHeadError(`无法读取审计记录头文件 ${file}：${(e as Error).message}`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new AuditHeadError(`审计记录头文件 ${file} 已损坏：不是有效的 JSON`);
  }
  const h = v as Partial<AuditHead> | null;
  if (
    !h ||
    typeof h !== 'object' ||
    !Number.isSafeInteger(h.seq) ||
    (h.seq as number) < 1 ||
    typeof h.hash !== 'string' ||
    !/^[0-9a-f]{64}$/.test(h.hash) ||
    typeof h.at !== 'number' ||
    !Number.isFinite(h.at)
  ) {
    throw new AuditHeadError(
      `审计记录头文件 ${file} 已损坏：应为 {"seq": 正整数, "hash": 64位十六进制, "at": 毫秒时间}`,
    );
  }
  return { seq: h.seq as number, hash: h.hash, at: h.at };
}

/** Replaces the head file atomically (temp file, fsync, rename): a crash leaves the old or the new head. */
export function writeAuditHead(file: string, head: AuditHead): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, `${JSON.stringify({ seq: head.seq, hash: head.hash, at: head.at })}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/**
 * Rewrites the head file after each append; returns the unsubscribe. The head only moves along the chain
 * (the new entry must follow the head's entry), so a head left ahead of a truncated or rewritten log stays
 * where it was and every later verification still reports it. Call `checkAuditTrail` first: it brings a
 * missing or lagging head up to date when the chain is intact.
 */
export function keepAuditHead(
  audit: AuditLog,
  file: string,
  onError: (e: Error) => void = () => {},
): () => void {
  let head: AuditHead | null;
  try {
    head = readAuditHead(file);
  } catch {
    head = null; // A corrupt head is replaced at the next append; checkAuditTrail has reported it.
  }
  return audit.onAppend((row) => {
    if (head && !(row.seq === head.seq + 1 && row.prev_hash === head.hash)) return;
    const next: AuditHead = { seq: row.seq, hash: row.hash, at: row.at };
    try {
      writeAuditHead(file, next);
      head = next;
    } catch (e) {
      // The entry is committed; failing the caller's request over the head file would help no one.
      onError(new AuditHeadError(`无法写入审计记录头文件 ${file}：${(e as Error).message}`));
    }
  });
}

export interface AuditTrailCheck {
  result: AuditVerifyResult;
  /** The head verified against (after any catch-up, the head now on disk). */
  head: AuditHead | null;
  /** Chinese lines for the log: a broken chain, a corrupt or missing head. Empty when all is well. */
  warnings: string[];
}

/**
 * The check at start: verifies the chain against the head file, and when the chain is intact writes a head
 * that is missing or behind (the centre stopped between an append and the head write). A broken chain leaves
 * the head untouched, as evidence.
 */
export function checkAuditTrail(db: Db, file: string): AuditTrailCheck {
  const warnings: string[] = [];
  let head: AuditHead | null = null;
  try {
    head = readAuditHead(file);
  } catch (e) {
    warnings.push(`${(e as Error).message}；本次校验无法发现末尾记录被删除，记录头将按现有记录重写`);
  }
  const result = verifyAuditChain(db, { head });
  if (!result.ok) {
    warnings.push(`审计记录校验失败（已检查 ${result.entries} 条完好）：${result.firstBroken.message}`);
    return { result, head, warnings };
  }
  if (!head && result.lastSeq > 0 && warnings.length === 0) {
    warnings.push(
      `未找到审计记录头文件 ${file}，已按现有 ${result.entries} 条记录（均完好）重新建立；若之前有过该文件，末尾记录可能已被删除`,
    );
  }
  if (result.lastSeq > 0 && (!head || head.seq < result.lastSeq)) {
    head = { seq: result.lastSeq, hash: result.lastHash, at: result.lastAt ?? 0 };
    writeAuditHead(file, head);
  }
  return { result, head, warnings };
}

/** One line for a log or the CLI: what was checked and what was found. */
export function summariseVerify(result: AuditVerifyResult, head: AuditHead | null): string {
  if (!result.ok)
    return `审计记录已被篡改（${AUDIT_PROBLEM_LABELS[result.firstBroken.problem]}）：${result.firstBroken.message}`;
  if (result.entries === 0) return head ? '审计记录为空' : '审计记录为空（没有记录头文件）';
  const tail = `最后一条第 ${result.lastSeq} 条（${shanghaiTime(result.lastAt)}），校验值 ${result.lastHash}`;
  const headNote = head
    ? result.afterHead
      ? `；记录头之后另有 ${result.afterHead} 条（中心正在运行，或在写记录头前停止）`
      : '；与记录头一致'
    : '；没有记录头文件，无法发现末尾记录被删除';
  return `审计记录完好：共 ${result.entries} 条，${tail}${headNote}`;
}
