import { badRequest } from '../../errors.ts';
import { CAP11_NS, CAP12_NS, type CapAlert, CapAlertSchema, elementPath } from './cap-schema.ts';
import { type ReadXmlOptions, readXml, type XmlElement } from './cap-xml.ts';

/**
 * parseCap: untrusted bytes → a checked CapAlert, or an AppError (never anything else).
 * Elements of other namespaces (XML signatures, profile extensions) are skipped; CAP elements we do not
 * use are ignored; a CAP element that may occur once but occurs twice is refused.
 */

export type ParseCapOptions = ReadXmlOptions;

export function parseCap(xml: string | Buffer, opts: ParseCapOptions = {}): CapAlert {
  const root = readXml(xml, opts);
  if (root.local !== 'alert' || (root.ns !== CAP12_NS && root.ns !== CAP11_NS)) {
    throw badRequest(
      'cap_wrong_namespace',
      `不是 CAP 预警文档：根元素须为命名空间 ${CAP12_NS}（或 1.1）中的 alert，收到 <${root.name}>` +
        (root.ns ? `（命名空间 ${root.ns}）` : '（无命名空间）'),
    );
  }
  const reader = new Reader(root.ns);
  const raw = reader.alert(root);
  const result = CapAlertSchema.safeParse({ ...raw, version: root.ns === CAP12_NS ? '1.2' : '1.1' });
  if (!result.success) {
    const issues = result.error.issues.map((i) => ({ element: elementPath(i.path), message: i.message }));
    const first = issues[0]!;
    throw badRequest('cap_invalid', `CAP 文档无效：元素 ${first.element} ${first.message}`, { issues });
  }
  return result.data;
}

/** Turns the tree into plain strings and arrays for the schema; only structural faults are caught here. */
class Reader {
  constructor(private readonly ns: string) {}

  alert(el: XmlElement) {
    return {
      identifier: this.one(el, 'identifier'),
      sender: this.one(el, 'sender'),
      sent: this.one(el, 'sent'),
      status: this.one(el, 'status'),
      msgType: this.one(el, 'msgType'),
      source: this.one(el, 'source'),
      scope: this.one(el, 'scope'),
      restriction: this.one(el, 'restriction'),
      addresses: this.one(el, 'addresses'),
      code: this.many(el, 'code'),
      note: this.one(el, 'note'),
      references: this.one(el, 'references'),
      incidents: this.one(el, 'incidents'),
      info: this.blocks(el, 'info').map((b, i) => this.info(b, `info[${i + 1}]`)),
    };
  }

  private info(el: XmlElement, at: string) {
    return {
      language: this.one(el, 'language', at),
      category: this.many(el, 'category', at),
      event: this.one(el, 'event', at),
      responseType: this.many(el, 'responseType', at),
      urgency: this.one(el, 'urgency', at),
      severity: this.one(el, 'severity', at),
      certainty: this.one(el, 'certainty', at),
      audience: this.one(el, 'audience', at),
      eventCode: this.values(el, 'eventCode', at),
      effective: this.one(el, 'effective', at),
      onset: this.one(el, 'onset', at),
      expires: this.one(el, 'expires', at),
      senderName: this.one(el, 'senderName', at),
      headline: this.one(el, 'headline', at),
      description: this.one(el, 'description', at),
      instruction: this.one(el, 'instruction', at),
      web: this.one(el, 'web', at),
      contact: this.one(el, 'contact', at),
      parameter: this.values(el, 'parameter', at),
      resource: this.blocks(el, 'resource').map((r, i) => {
        const rat = `${at}/resource[${i + 1}]`;
        return {
          resourceDesc: this.one(r, 'resourceDesc', rat),
          mimeType: this.one(r, 'mimeType', rat),
          size: this.one(r, 'size', rat),
          uri: this.one(r, 'uri', rat),
          derefUri: this.one(r, 'derefUri', rat),
          digest: this.one(r, 'digest', rat),
        };
      }),
      area: this.blocks(el, 'area').map((a, i) => {
        const aat = `${at}/area[${i + 1}]`;
        return {
          areaDesc: this.one(a, 'areaDesc', aat),
          // An empty <polygon></polygon> is met in real NWS 1.1 feeds: it means no polygon.
          polygon: this.many(a, 'polygon', aat).filter(Boolean),
          circle: this.many(a, 'circle', aat).filter(Boolean),
          geocode: this.values(a, 'geocode', aat),
          altitude: this.one(a, 'altitude', aat),
          ceiling: this.one(a, 'ceiling', aat),
        };
      }),
    };
  }

  private blocks(el: XmlElement, local: string): XmlElement[] {
    return el.children.filter((c) => c.local === local && c.ns === this.ns);
  }

  private text(el: XmlElement, at: string): string {
    if (el.children.some((c) => c.ns === this.ns)) {
      throw badRequest('cap_invalid', `CAP 文档无效：元素 ${at} 应为文本，却包含子元素`);
    }
    return el.text.trim();
  }

  /** An element that may occur at most once; empty counts as absent (e.g. `<references />`). */
  private one(el: XmlElement, local: string, at = ''): string | undefined {
    const found = this.blocks(el, local);
    const path = at ? `${at}/${local}` : local;
    if (found.length > 1) throw badRequest('cap_invalid', `CAP 文档无效：元素 ${path} 只能出现一次`);
    if (found.length === 0) return undefined;
    const t = this.text(found[0]!, path);
    return t === '' ? undefined : t;
  }

  private many(el: XmlElement, local: string, at = ''): string[] {
    const path = at ? `${at}/${local}` : local;
    return this.blocks(el, local).map((c) => this.text(c, path));
  }

  private values(el: XmlElement, local: string, at: string): Array<{ valueName?: string; value?: string }> {
    return this.blocks(el, local).map((b, i) => {
      const vat = `${at}/${local}[${i + 1}]`;
      return { valueName: this.one(b, 'valueName', vat), value: this.one(b, 'value', vat) ?? '' };
    });
  }
}
