import { readFileSync } from 'node:fs';
import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type YAMLError,
} from 'yaml';
import { z } from 'zod';
import { formatFieldPath } from './schedule-rules.ts';
import { describeValue, type ScheduleDoc, ScheduleSchema } from './schedule-schema.ts';
import type { ScheduleProblem } from './schedule-types.ts';

/**
 * Reading a schedule file: YAML syntax, then the schema (fields, then the rules between them). Every problem
 * names the file, the field, the 1-based line of the offending node and, in Chinese, what is allowed.
 */

export type { ScheduleDoc } from './schedule-schema.ts';

export type ScheduleLoadResult = { ok: true; doc: ScheduleDoc } | { ok: false; problems: ScheduleProblem[] };

/** `schedules/default.yaml:12: slots[1].start: "25:00" 不是有效的时间…` */
export function formatProblem(p: ScheduleProblem): string {
  return `${p.file}${p.line === undefined ? '' : `:${p.line}`}: ${p.field}: ${p.message}`;
}

/** The text of a schedule file, or the problem that it is missing or unreadable. */
export function readScheduleText(
  file: string,
): { ok: true; text: string } | { ok: false; problems: ScheduleProblem[] } {
  try {
    return { ok: true, text: readFileSync(file, 'utf8') };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const message =
      err.code === 'ENOENT'
        ? '排班文件不存在，应为可读的 YAML 文件（可从 schedules/default.yaml 复制）'
        : `无法读取排班文件（${err.code ?? 'error'}：${err.message}），应为可读的 YAML 文件`;
    return { ok: false, problems: [{ file, field: '(文件)', message }] };
  }
}

export function loadScheduleFile(file: string): ScheduleLoadResult {
  const read = readScheduleText(file);
  return read.ok ? loadScheduleText(read.text, file) : read;
}

export function loadScheduleText(text: string, file: string): ScheduleLoadResult {
  const lineCounter = new LineCounter();
  const ydoc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (ydoc.errors.length > 0) {
    return { ok: false, problems: ydoc.errors.map((e) => syntaxProblem(e, lineCounter, file)) };
  }
  let data: unknown;
  try {
    data = ydoc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return {
      ok: false,
      problems: [{ file, field: '(YAML)', message: `YAML 无法展开：${(e as Error).message}` }],
    };
  }
  const parsed = ScheduleSchema.safeParse(data, { error: zhErrorMap });
  if (parsed.success) return { ok: true, doc: parsed.data };
  const problems = parsed.error.issues.flatMap((iss) => issueProblems(iss, ydoc, lineCounter, file));
  problems.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
  return { ok: false, problems };
}

const YAML_ERROR_TEXT: Record<string, string> = {
  DUPLICATE_KEY: '同一映射中的键重复，每个键只能出现一次',
  MISSING_CHAR: '缺少结束的引号或括号',
  BAD_INDENT: '缩进不正确，同一层级的键应对齐，列表项和括号应正确缩进',
  BLOCK_AS_IMPLICIT_KEY: '同一行内不能嵌套映射（值中含冒号时请加引号，或检查缩进）',
  MULTILINE_IMPLICIT_KEY: '键必须写在一行内（可能是缩进或冒号有误）',
  TAB_AS_INDENT: '不能用 Tab 缩进，应使用空格',
  UNEXPECTED_TOKEN: '出现了不应出现的字符',
  MULTIPLE_DOCS: '文件只能包含一个 YAML 文档',
  BAD_SCALAR_START: '值的开头字符不合法（以 @ 或 ` 开头的值请加引号）',
};

function syntaxProblem(e: YAMLError, lc: LineCounter, file: string): ScheduleProblem {
  const what = YAML_ERROR_TEXT[e.code] ?? '无法解析';
  return {
    file,
    field: '(YAML)',
    line: lc.linePos(e.pos[0]).line,
    message: `YAML 语法错误：${what}（${e.code}：${e.message}）`,
  };
}

function issueProblems(
  iss: z.core.$ZodIssue,
  ydoc: Document,
  lc: LineCounter,
  file: string,
): ScheduleProblem[] {
  const problem = (path: PropertyKey[], message: string): ScheduleProblem => {
    const line = lineOf(ydoc, lc, path);
    return { file, field: formatFieldPath(path), ...(line === undefined ? {} : { line }), message };
  };
  if (iss.code === 'unrecognized_keys') {
    const allowed = allowedKeys(ScheduleSchema, iss.path);
    return iss.keys.map((key) => {
      const near = closest(key, allowed);
      const hint = near ? `（是否应为 "${near}"？）` : '';
      return problem(
        [...iss.path, key],
        `未知字段 "${key}"${hint}，此处允许的字段：${allowed.join('、') || '无'}`,
      );
    });
  }
  if (iss.code === 'invalid_key') return [problem(iss.path, iss.issues[0]?.message ?? iss.message)];
  return [problem(iss.path, iss.message)];
}

const TYPE_NAMES: Record<string, string> = {
  string: '字符串',
  number: '数字',
  int: '整数',
  boolean: '布尔值 true 或 false',
  object: '映射',
  array: '列表',
  record: '映射',
};

/** Chinese messages for whatever the schema does not word itself. */
const zhErrorMap: z.core.$ZodErrorMap = (iss) => {
  const input = describeValue(iss.input);
  switch (iss.code) {
    case 'invalid_type': {
      const expected = TYPE_NAMES[iss.expected] ?? iss.expected;
      return iss.input === undefined ? `缺少必填字段，应为${expected}` : `应为${expected}，实际为 ${input}`;
    }
    case 'too_small':
      return iss.origin === 'array' ? `至少需要 ${iss.minimum} 项` : `${input} 太小，不能小于 ${iss.minimum}`;
    case 'too_big':
      return iss.origin === 'array' ? `最多 ${iss.maximum} 项` : `${input} 太大，不能大于 ${iss.maximum}`;
    case 'invalid_value':
      return `${input} 无效，应为 ${iss.values.map((v) => JSON.stringify(v)).join('、')} 之一`;
    case 'unrecognized_keys':
      return `未知字段：${iss.keys.join('、')}`;
    default:
      return `${input} 无效`;
  }
};

/** The keys a strict object at `path` accepts (for the unknown-key message). */
function allowedKeys(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  let s: z.core.$ZodType = schema;
  const unwrap = () => {
    while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap();
  };
  for (const seg of path) {
    unwrap();
    if (s instanceof z.ZodObject) {
      const next = (s.shape as Record<string, z.core.$ZodType | undefined>)[String(seg)];
      if (!next) return [];
      s = next;
    } else if (s instanceof z.ZodArray) s = s.element;
    else if (s instanceof z.ZodRecord) s = s.valueType;
    else return [];
  }
  unwrap();
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

/** The allowed key nearest to a typo (edit distance ≤ 2), if any. */
function closest(key: string, allowed: string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const a of allowed) {
    const d = editDistance(key.toLowerCase(), a.toLowerCase());
    if (d < bestD) [best, bestD] = [a, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

function nodeLine(node: unknown, lc: LineCounter): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? lc.linePos(range[0]).line : undefined;
}

/**
 * 1-based line of the node a zod path names: a scalar value's own line, else the line of its key (or list
 * item); for a path that does not exist (a missing field) the line of its nearest existing parent.
 */
function lineOf(ydoc: Document, lc: LineCounter, path: readonly PropertyKey[]): number | undefined {
  let node: unknown = ydoc.contents;
  let line = nodeLine(node, lc);
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg),
      );
      if (!pair) return line;
      line = nodeLine(pair.key, lc) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined) return line;
      line = nodeLine(item, lc) ?? line;
      node = item;
    } else {
      return line;
    }
  }
  return isScalar(node) ? (nodeLine(node, lc) ?? line) : line;
}
