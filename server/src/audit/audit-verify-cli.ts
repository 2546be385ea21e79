/**
 * npm run audit:verify -- [--data-dir DIR] [--json]
 * Checks the audit trail of a centre's data directory without changing it: the database is opened read-only
 * and never migrated, so it can be run on a copy, a backup, or beside a running centre.
 * Exit 0: intact; 1: tampered; 2: usage or file error.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { type AuditHead, AuditHeadError, readAuditHead, summariseVerify } from './audit-head.ts';
import { verifyAuditChain } from './audit-verify.ts';

const USAGE = `用法: npm run audit:verify -- [--data-dir 数据目录] [--json]

校验控制中心审计记录的哈希链（只读打开 数据目录/dlb.sqlite，不做任何修改）。
有 数据目录/audit-head.json 时，也能发现末尾记录被删除或改写。

  --data-dir 目录   中心的数据目录（默认：环境变量 DLB_DATA_DIR，否则 ./data）
  --json            以 JSON 输出结果
  --help            显示本说明

退出码: 0 完好，1 已被篡改，2 参数或文件错误`;

class UsageError extends Error {}

interface Args {
  dataDir: string;
  json: boolean;
  help: boolean;
}

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): Args {
  const args: Args = { dataDir: env.DLB_DATA_DIR || './data', json: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') args.help = true;
    else if (a === '--json') args.json = true;
    else if (a === '--data-dir') {
      const v = argv[++i];
      if (!v || v.startsWith('--')) throw new UsageError('--data-dir 后面须跟数据目录');
      args.dataDir = v;
    } else if (a.startsWith('--data-dir=')) {
      args.dataDir = a.slice('--data-dir='.length);
      if (!args.dataDir) throw new UsageError('--data-dir 后面须跟数据目录');
    } else throw new UsageError(`不认识的参数: ${a}`);
  }
  return args;
}

function main(argv: string[]): number {
  let args: Args;
  try {
    args = parseArgs(argv, process.env);
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  // npm runs scripts from the package root; a relative --data-dir means where the user typed the command.
  const dataDir = path.resolve(process.env.INIT_CWD ?? process.cwd(), args.dataDir);
  const dbFile = path.join(dataDir, 'dlb.sqlite');
  const headFile = path.join(dataDir, 'audit-head.json');
  if (!existsSync(dbFile)) {
    console.error(`找不到数据库文件 ${dbFile}：请用 --data-dir 指定中心的数据目录`);
    return 2;
  }
  let head: AuditHead | null;
  let db: Database.Database | null = null;
  try {
    // The head first: entries appended by a running centre after this read only lengthen the chain.
    head = readAuditHead(headFile);
    db = new Database(dbFile, { readonly: true, fileMustExist: true });
    const hasTable = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'")
      .get();
    if (!hasTable) {
      console.error(`${dbFile} 中没有审计记录表 audit_log：不是中心的数据库，或中心尚未升级`);
      return 2;
    }
    const started = performance.now();
    const result = verifyAuditChain(db, { head });
    const ms = Math.round(performance.now() - started);
    if (args.json) {
      console.log(JSON.stringify({ ...result, head, database: dbFile, ms }, null, 2));
    } else {
      console.log(`数据库: ${dbFile}`);
      console.log(
        head ? `记录头: ${headFile}（第 ${head.seq} 条，${head.hash}）` : `记录头: 无（${headFile} 不存在）`,
      );
      console.log(
        result.ok
          ? `已检查: ${result.entries} 条（用时 ${ms} ms）`
          : `已检查: ${result.entries} 条完好，第 ${result.firstBroken.seq} 条起有问题（用时 ${ms} ms）`,
      );
      console.log(summariseVerify(result, head));
    }
    return result.ok ? 0 : 1;
  } catch (e) {
    const hint = e instanceof AuditHeadError ? `\n（可将 ${headFile} 移走保存后，只校验哈希链）` : '';
    console.error(`校验失败: ${(e as Error).message}${hint}`);
    return 2;
  } finally {
    db?.close();
  }
}

process.exitCode = main(process.argv.slice(2));
