import { describe, expect, it } from 'vitest';
import { parseCap } from './cap-parse.ts';
import { capDoc, ownFixture, refusal } from './test-helpers.ts';

const HEAD = (over: Record<string, string | null>) => {
  const fields: Record<string, string | null> = {
    identifier: 'T-1',
    sender: 's@example.cn',
    sent: '2026-07-01T08:00:00+08:00',
    status: 'Actual',
    msgType: 'Alert',
    scope: 'Public',
    ...over,
  };
  return Object.entries(fields)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `<${k}>${v}</${k}>`)
    .join('');
};

describe('parseCap', () => {
  it('reads a minimal valid document', () => {
    const cap = parseCap(capDoc());
    expect(cap).toMatchObject({ version: '1.2', identifier: 'T-1', status: 'Actual', msgType: 'Alert' });
    expect(cap.info[0]?.area[0]?.geocode).toEqual([{ valueName: 'GB/T2260', value: '450323101' }]);
  });

  it('accepts a cap: prefixed namespace and CAP 1.1', () => {
    const prefixed = capDoc()
      .replace(/<(\/?)(?!\?)/g, '<$1cap:')
      .replace('xmlns=', 'xmlns:cap=');
    expect(parseCap(prefixed).identifier).toBe('T-1');
    const v11 = parseCap(capDoc({ root: '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.1">' }));
    expect(v11.version).toBe('1.1');
  });

  it('refuses a wrong or missing namespace and a non-alert root', () => {
    for (const root of [
      '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.0">',
      '<alert xmlns="urn:oasis:names:tc:emergency:alerts:1.2">',
      '<alert>',
    ]) {
      const e = refusal(() => parseCap(capDoc({ root })));
      expect([e.status, e.code]).toEqual([400, 'cap_wrong_namespace']);
    }
    expect(refusal(() => parseCap('<html xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>')).code).toBe(
      'cap_wrong_namespace',
    );
  });

  it.each(['identifier', 'sender', 'sent', 'status', 'msgType', 'scope'])(
    'refuses a missing <%s>, naming it',
    (el) => {
      const e = refusal(() => parseCap(capDoc({ head: HEAD({ [el]: null }) })));
      expect([e.status, e.code]).toEqual([400, 'cap_invalid']);
      expect(e.message).toContain(el);
    },
  );

  it.each(['category', 'event', 'urgency', 'severity', 'certainty', 'areaDesc'])(
    'refuses a missing or empty info <%s>, naming it',
    (el) => {
      const info = capDoc().match(/<info>.*<\/info>/)![0];
      const without = info.replace(new RegExp(`<${el}>[^<]*</${el}>`), '');
      const empty = info.replace(new RegExp(`<${el}>[^<]*</${el}>`), `<${el}></${el}>`);
      for (const variant of [without, empty]) {
        const e = refusal(() => parseCap(capDoc({ info: variant })));
        expect(e.code).toBe('cap_invalid');
        expect(e.message).toContain(el);
      }
    },
  );

  it('refuses bad enumerations, times, identifiers and duplicated single elements', () => {
    expect(refusal(() => parseCap(capDoc({ head: HEAD({ status: 'Real' }) }))).message).toMatch(
      /status.*Real/,
    );
    expect(refusal(() => parseCap(capDoc({ head: HEAD({ sent: '2026-07-01 08:00' }) }))).message).toMatch(
      /sent/,
    );
    // A time without a zone would be read in the host's zone: refused.
    expect(refusal(() => parseCap(capDoc({ head: HEAD({ sent: '2026-07-01T08:00:00' }) }))).code).toBe(
      'cap_invalid',
    );
    expect(refusal(() => parseCap(capDoc({ head: HEAD({ identifier: 'a b' }) }))).message).toMatch(
      /identifier/,
    );
    const dup = capDoc({ head: `${HEAD({})}<scope>Public</scope>` });
    expect(refusal(() => parseCap(dup)).message).toMatch(/scope 只能出现一次/);
    const nested = capDoc({ head: HEAD({ identifier: '<x>1</x>' }) });
    expect(refusal(() => parseCap(nested)).message).toMatch(/identifier 应为文本/);
  });

  it('requires references on Update and Cancel and parses the triples', () => {
    const e = refusal(() => parseCap(capDoc({ head: HEAD({ msgType: 'Update' }) })));
    expect(e.message).toMatch(/references/);
    const bad = HEAD({ msgType: 'Cancel', references: 'a,b' });
    expect(refusal(() => parseCap(capDoc({ head: bad }))).message).toMatch(
      /references.*sender,identifier,sent/,
    );
    const cap = parseCap(ownFixture('lingchuan-rainstorm-cancel.xml'));
    expect(cap.references).toEqual([
      {
        sender: 'qxj@lingchuan.example.cn',
        identifier: 'LC-QX-20260701-001',
        sent: '2026-07-01T08:00:00+08:00',
      },
      {
        sender: 'qxj@lingchuan.example.cn',
        identifier: 'LC-QX-20260701-003',
        sent: '2026-07-01T11:00:00+08:00',
      },
    ]);
    // Empty references on a plain Alert (seen in real feeds) means none.
    expect(parseCap(capDoc({ head: HEAD({ references: '' }) })).references).toEqual([]);
  });

  it('allows a message without info (a Cancel may have none)', () => {
    const head = HEAD({ msgType: 'Cancel', references: 's@example.cn,T-0,2026-07-01T07:00:00+08:00' });
    expect(parseCap(capDoc({ head, info: '' })).info).toEqual([]);
  });

  it('reads several info blocks and areas, polygons, circles, geocodes and resources', () => {
    const two = parseCap(ownFixture('lingchuan-bilingual-en-zh.xml'));
    expect(two.info.map((i) => i.language)).toEqual(['en-US', 'zh-CN']);
    expect(two.info[0]?.description).toBe('Maximum temperature will exceed 35 °C & stay high for 3 days.');
    expect(two.info[1]?.description).toContain('<注意防暑>');
    const poly = parseCap(ownFixture('lingchuan-flood-orange-polygon.xml'));
    expect(poly.info[0]?.category).toEqual(['Met', 'Safety']);
    expect(poly.info[0]?.area[0]?.polygon[0]).toHaveLength(5);
    const circ = parseCap(ownFixture('lingchuan-drill-exercise-circle.xml'));
    expect(circ.info[0]?.area[0]?.circle).toEqual([{ lat: 25.3, lon: 110.5, radiusKm: 2 }]);
    const info =
      '<info><category>Met</category><event>e</event><urgency>Past</urgency><severity>Minor</severity>' +
      '<certainty>Observed</certainty><resource><resourceDesc>音频</resourceDesc><mimeType>audio/mpeg</mimeType>' +
      '<uri>http://x/a.mp3</uri><derefUri>SUQz\nBA==</derefUri></resource>' +
      '<area><areaDesc>a</areaDesc><circle>1,2 3</circle></area><area><areaDesc>b</areaDesc></area></info>';
    const cap = parseCap(capDoc({ info }));
    expect(cap.info[0]?.language).toBe('en-US');
    expect(cap.info[0]?.resource[0]).toMatchObject({ mimeType: 'audio/mpeg', derefUri: 'SUQz\nBA==' });
    expect(cap.info[0]?.area.map((a) => a.areaDesc)).toEqual(['a', 'b']);
  });

  it('refuses a bad polygon or circle, naming where', () => {
    const info = capDoc()
      .match(/<info>.*<\/info>/)![0]
      .replace('</areaDesc>', '</areaDesc><polygon>1,2 3,4 5,6 7,8</polygon>');
    expect(refusal(() => parseCap(capDoc({ info }))).message).toMatch(
      /info\[1\]\/area\[1\]\/polygon\[1\].*闭合/,
    );
    const info2 = info.replace(/<polygon>.*<\/polygon>/, '<circle>1,2</circle>');
    expect(refusal(() => parseCap(capDoc({ info: info2 }))).message).toMatch(/circle/);
  });

  it('ignores elements of other namespaces, such as an XML signature', () => {
    const signed = capDoc().replace(
      '</alert>',
      '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:identifier>x</ds:identifier></ds:Signature></alert>',
    );
    expect(parseCap(signed).identifier).toBe('T-1');
  });
});
