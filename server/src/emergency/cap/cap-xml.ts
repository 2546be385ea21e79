import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { AppError, badRequest } from '../../errors.ts';

/**
 * Safe reading of an untrusted XML document into a small namespace-resolved tree. CAP arrives from outside
 * feeds, so before the parser sees a byte we bound the size and refuse any DTD: with no DOCTYPE there can be
 * no external entity (XXE) and no entity expansion (billion laughs). Only the five predefined XML entities
 * and numeric character references are decoded, by us, after parsing.
 */

export const CAP_DEFAULT_MAX_BYTES = 256 * 1024;

export interface XmlElement {
  /** Namespace URI the element's prefix resolves to ('' when none is in scope). */
  ns: string;
  local: string;
  /** Qualified name as written, for messages. */
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Character data (text and CDATA) directly inside the element, decoded, untrimmed. */
  text: string;
}

export interface ReadXmlOptions {
  maxBytes?: number;
}

const malformed = (why: string) => badRequest('cap_malformed', `CAP 文档不是格式正确的 XML：${why}`);

export function readXml(input: string | Buffer, opts: ReadXmlOptions = {}): XmlElement {
  const maxBytes = opts.maxBytes ?? CAP_DEFAULT_MAX_BYTES;
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
  if (size > maxBytes) {
    throw new AppError(413, 'cap_too_large', `CAP 文档过大：${size} 字节，上限 ${maxBytes} 字节`);
  }
  let xml = typeof input === 'string' ? input : decodeUtf8(input);
  if (xml.charCodeAt(0) === 0xfeff) xml = xml.slice(1);
  // Refused before parsing, wherever it appears (even in a comment): a CAP document never needs a DTD.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) {
    throw badRequest(
      'cap_doctype_forbidden',
      'CAP 文档不得包含 DOCTYPE 或 ENTITY 声明（防止外部实体和实体膨胀攻击）',
    );
  }
  const decl = /^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/i.exec(xml);
  if (decl?.[1] && !/^utf-?8$/i.test(decl[1])) {
    throw badRequest('cap_malformed', `CAP 文档须为 UTF-8 编码，声明的编码为 ${decl[1]}`);
  }
  let parsed: unknown;
  try {
    const valid = XMLValidator.validate(xml);
    if (valid !== true) throw malformed(`第 ${valid.err.line} 行第 ${valid.err.col} 列：${valid.err.msg}`);
    parsed = parser.parse(xml);
  } catch (e) {
    if (e instanceof AppError) throw e;
    // The parser's own errors (too deep nesting, odd input) are input faults, not server faults.
    throw malformed(e instanceof Error ? e.message : String(e));
  }
  const roots = asNodes(parsed).filter((n) => elementName(n) !== null);
  if (roots.length !== 1) throw malformed(roots.length === 0 ? '没有根元素' : '有多个根元素');
  return toElement(roots[0]!, new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]));
}

function decodeUtf8(buf: Buffer): string {
  if (buf.length >= 2 && ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff))) {
    throw badRequest('cap_malformed', 'CAP 文档须为 UTF-8 编码，收到的是 UTF-16');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    throw badRequest('cap_malformed', 'CAP 文档不是有效的 UTF-8 文本');
  }
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  // We decode the predefined entities ourselves; the parser must expand nothing.
  processEntities: false,
  htmlEntities: false,
  trimValues: false,
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: 64,
});

type Node = Record<string, unknown>;

function asNodes(v: unknown): Node[] {
  return Array.isArray(v) ? v.filter((n): n is Node => typeof n === 'object' && n !== null) : [];
}

function elementName(n: Node): string | null {
  for (const k of Object.keys(n)) {
    if (k !== ':@' && k !== '#text' && k !== '#cdata' && !k.startsWith('?')) return k;
  }
  return null;
}

function toElement(node: Node, parentScope: Map<string, string>): XmlElement {
  const name = elementName(node)!;
  const rawAttrs = (node[':@'] ?? {}) as Record<string, unknown>;
  const attrs: Record<string, string> = {};
  let scope = parentScope;
  for (const [k, v] of Object.entries(rawAttrs)) {
    const value = decodeEntities(String(v));
    attrs[k] = value;
    if (k === 'xmlns' || k.startsWith('xmlns:')) {
      if (scope === parentScope) scope = new Map(parentScope);
      scope.set(k === 'xmlns' ? '' : k.slice(6), value);
    }
  }
  const colon = name.indexOf(':');
  const prefix = colon >= 0 ? name.slice(0, colon) : '';
  const local = colon >= 0 ? name.slice(colon + 1) : name;
  const ns = scope.get(prefix);
  if (ns === undefined && prefix !== '') throw malformed(`元素 <${name}> 的命名空间前缀 ${prefix} 未声明`);
  const children: XmlElement[] = [];
  let text = '';
  for (const child of asNodes(node[name])) {
    if (typeof child['#text'] === 'string') text += decodeEntities(child['#text']);
    else if (child['#cdata'] !== undefined) text += cdataText(child['#cdata']);
    else if (elementName(child) !== null) children.push(toElement(child, scope));
  }
  return { ns: ns ?? '', local, name, attrs, children, text };
}

function cdataText(v: unknown): string {
  return asNodes(v)
    .map((n) => (typeof n['#text'] === 'string' ? n['#text'] : ''))
    .join('');
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes the five predefined entities and character references; anything else is not well-formed. */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&([^;&\s]{0,12});?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw malformed(`无效的实体引用 ${whole}`);
    const named = PREDEFINED[ref];
    if (named !== undefined) return named;
    const m = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(ref);
    if (!m) throw malformed(`未定义的实体 &${ref};（只允许 XML 预定义实体）`);
    const cp = m[1] !== undefined ? Number.parseInt(m[1], 16) : Number(m[2]);
    const legal =
      cp === 0x9 ||
      cp === 0xa ||
      cp === 0xd ||
      (cp >= 0x20 && cp <= 0xd7ff) ||
      (cp >= 0xe000 && cp <= 0xfffd) ||
      (cp >= 0x10000 && cp <= 0x10ffff);
    if (!legal) throw malformed(`字符引用 &${ref}; 不是合法的 XML 字符`);
    return String.fromCodePoint(cp);
  });
}
