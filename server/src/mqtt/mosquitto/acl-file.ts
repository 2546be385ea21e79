import { terminalReadTopics, terminalWriteTopics } from '../../../../protocol/src/topics.ts';
import { passwordFileLine } from './password-hash.ts';

/**
 * Mosquitto ACL and password files that enforce the embedded broker's rules on an external broker.
 * Every terminal line is a literal topic built from validated ids, so no `+`/`#` (nor a `pattern` line)
 * can ever widen a terminal's access; only the server user gets a wildcard.
 */

export interface AclTerminal {
  tid: string;
  areaChain: string[];
  groups: string[];
}

export interface AclInput {
  serverUser: string;
  terminals: AclTerminal[];
}

const TID = /^\d{23}$/;
const AREA_CODE = /^(\d{6}|\d{9}|\d{12})$/;
const GROUP_ID = /^[A-Za-z0-9_-]{1,64}$/;
// Mosquitto takes the rest of a `user` line as the name, so keep names to characters that cannot smuggle in a line.
const SERVER_USER = /^[A-Za-z0-9._-]{1,64}$/;

const HEADER = '# 由大喇叭服务器生成，请勿手工编辑：下次写入会覆盖。\n';

function check(ok: boolean, what: string, value: string): void {
  if (!ok) throw new Error(`${what}无效：${JSON.stringify(value)}`);
}

export function buildAclFile(input: AclInput): string {
  check(SERVER_USER.test(input.serverUser), '服务器用户名', input.serverUser);
  const lines: string[] = [HEADER, `user ${input.serverUser}`, 'topic readwrite dlb/#', ''];
  const seen = new Set<string>([input.serverUser]);
  for (const t of input.terminals) {
    check(TID.test(t.tid), '终端编号', t.tid);
    if (seen.has(t.tid)) throw new Error(`终端编号重复：${t.tid}`);
    seen.add(t.tid);
    for (const c of t.areaChain) check(AREA_CODE.test(c), '区划代码', c);
    for (const g of t.groups) check(GROUP_ID.test(g), '分组编号', g);
    lines.push(`user ${t.tid}`);
    const reads = new Set(terminalReadTopics(t.tid, t.areaChain, t.groups));
    for (const topic of reads) lines.push(`topic read ${topic}`);
    for (const topic of terminalWriteTopics(t.tid)) lines.push(`topic write ${topic}`);
    lines.push('');
  }
  return lines.join('\n');
}

export function buildPasswordFile(entries: Array<{ username: string; hash: string }>): string {
  const seen = new Set<string>();
  const lines = entries.map((e) => {
    if (seen.has(e.username)) throw new Error(`用户名重复：${e.username}`);
    seen.add(e.username);
    return passwordFileLine(e.username, e.hash);
  });
  return lines.length ? `${lines.join('\n')}\n` : '';
}
