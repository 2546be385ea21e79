import { describe, expect, it } from 'vitest';
import { parseCap } from './cap-parse.ts';
import { capToAlert } from './cap-to-alert.ts';
import { capDoc, LC_TERMINALS, lcContext, ownFixture, refusal } from './test-helpers.ts';

const fixture = (name: string) => parseCap(ownFixture(name));
const HEAD = (status: string, msgType = 'Alert', refs = '') =>
  '<identifier>T-1</identifier><sender>s@example.cn</sender><sent>2026-07-01T08:00:00+08:00</sent>' +
  `<status>${status}</status><msgType>${msgType}</msgType><scope>Public</scope>` +
  (refs ? `<references>${refs}</references>` : '');
const REF = 's@example.cn,T-0,2026-07-01T07:00:00+08:00';
const infoWith = (swap: (info: string) => string) =>
  capDoc({ info: swap(capDoc().match(/<info>.*<\/info>/)![0]) });

describe('capToAlert', () => {
  it('maps the red rainstorm warning with a township geocode', () => {
    const r = capToAlert(fixture('lingchuan-rainstorm-red-geocode.xml'), lcContext());
    expect(r).toMatchObject({
      kind: 'alert',
      identifier: 'LC-QX-20260701-001',
      sender: 'qxj@lingchuan.example.cn',
      drill: false,
      severity: 'Extreme',
      urgency: 'Immediate',
      certainty: 'Likely',
      references: [],
    });
    expect(r.input).toMatchObject({
      level: 'red',
      eventCode: '11B01',
      eventName: '暴雨',
      issuer: '灵川县气象台',
      area: { codes: ['450323101'], terminalIds: [] },
      startsAt: Date.parse('2026-07-01T08:30:00+08:00'),
      expiresAt: Date.parse('2026-07-01T20:00:00+08:00'),
      language: 'zh-CN',
      title: '灵川县气象台发布暴雨红色预警信号',
      repeat: 3,
    });
    expect(r.input?.text).toBe(
      '预计未来3小时大圩镇降雨量将达100毫米以上，可能引发山洪、内涝。\n请沿河、低洼地带群众立即转移到安全地带，停止户外活动。',
    );
  });

  it('maps severities to levels', () => {
    const levels = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'].map(
      (s) => capToAlert(parseCap(infoWith((i) => i.replace('Extreme', s))), lcContext()).input?.level,
    );
    expect(levels).toEqual(['red', 'orange', 'yellow', 'blue', 'blue']);
  });

  it('maps a polygon to the terminals inside it', () => {
    const r = capToAlert(fixture('lingchuan-flood-orange-polygon.xml'), lcContext());
    expect(r.input).toMatchObject({ level: 'orange', eventCode: '11A01', area: { codes: [] } });
    expect(r.input?.area.terminalIds).toEqual([LC_TERMINALS[0]!.id]);
  });

  it('maps an Update with references, folding padded 12-digit codes', () => {
    const r = capToAlert(fixture('lingchuan-rainstorm-update.xml'), lcContext());
    expect(r.kind).toBe('update');
    expect(r.references).toEqual([
      {
        sender: 'qxj@lingchuan.example.cn',
        identifier: 'LC-QX-20260701-001',
        sent: '2026-07-01T08:00:00+08:00',
      },
    ]);
    expect(r.input?.area.codes).toEqual(['450323101', '450323100']);
    expect(r.input?.level).toBe('orange');
  });

  it('maps a Cancel with references to kind cancel and no input', () => {
    const r = capToAlert(fixture('lingchuan-rainstorm-cancel.xml'), lcContext());
    expect(r.kind).toBe('cancel');
    expect(r.input).toBeUndefined();
    expect(r.references.map((x) => x.identifier)).toEqual(['LC-QX-20260701-001', 'LC-QX-20260701-003']);
    // No info at all is fine for a Cancel, and its area is not checked.
    const bare = parseCap(capDoc({ head: HEAD('Actual', 'Cancel', REF), info: '' }));
    expect(capToAlert(bare, lcContext({ allowedAreaCodes: [] }))).toMatchObject({
      kind: 'cancel',
      severity: 'Unknown',
    });
  });

  it('maps Exercise to a drill and a circle to the terminals in it', () => {
    const r = capToAlert(fixture('lingchuan-drill-exercise-circle.xml'), lcContext());
    expect(r.drill).toBe(true);
    expect(r.input?.area.terminalIds).toEqual([LC_TERMINALS[2]!.id]);
    expect(r.input?.eventCode).toBe('CAPGeo');
    expect(r.notes.join()).toMatch(/eventCode/);
  });

  it('chooses the zh-CN info block of several languages', () => {
    const r = capToAlert(fixture('lingchuan-bilingual-en-zh.xml'), lcContext());
    expect(r.language).toBe('zh-CN');
    expect(r.input).toMatchObject({
      title: '灵川县高温黄色预警',
      language: 'zh-CN',
      area: { codes: ['450323'] },
    });
    expect(r.notes.join()).toMatch(/2 个 info/);
  });

  it('refuses Test, System and Draft, and Ack and Error', () => {
    for (const s of ['Test', 'System', 'Draft']) {
      const e = refusal(() => capToAlert(parseCap(capDoc({ head: HEAD(s) })), lcContext()));
      expect([e.status, e.code]).toEqual([422, 'cap_not_actual']);
      expect(e.message).toContain(s);
    }
    for (const t of ['Ack', 'Error']) {
      const e = refusal(() => capToAlert(parseCap(capDoc({ head: HEAD('Actual', t, REF) })), lcContext()));
      expect([e.status, e.code]).toEqual([422, 'cap_unsupported_msgtype']);
    }
  });

  it('refuses an unknown area code and a malformed one', () => {
    const unknown = infoWith((i) => i.replace('450323101', '450323199'));
    expect(refusal(() => capToAlert(parseCap(unknown), lcContext())).code).toBe('cap_unknown_area');
    const bad = infoWith((i) => i.replace('450323101', '4503231'));
    expect(refusal(() => capToAlert(parseCap(bad), lcContext())).code).toBe('cap_unknown_area');
  });

  it('refuses areas outside the source allowance (403), codes and terminals alike', () => {
    const foreign = infoWith((i) => i.replace('450323101', '450324101'));
    const e = refusal(() => capToAlert(parseCap(foreign), lcContext()));
    expect([e.status, e.code]).toEqual([403, 'cap_area_not_allowed']);
    const township = lcContext({ allowedAreaCodes: ['450323100'] });
    expect(refusal(() => capToAlert(fixture('lingchuan-rainstorm-red-geocode.xml'), township)).code).toBe(
      'cap_area_not_allowed',
    );
    expect(refusal(() => capToAlert(fixture('lingchuan-drill-exercise-circle.xml'), township)).status).toBe(
      403,
    );
    expect(
      capToAlert(fixture('lingchuan-flood-orange-polygon.xml'), township).input?.area.terminalIds,
    ).toHaveLength(1);
  });

  it('refuses a message with nothing in our county (422 cap_no_area)', () => {
    const same = infoWith((i) => i.replace('GB/T2260', 'SAME'));
    const e = refusal(() => capToAlert(parseCap(same), lcContext()));
    expect([e.status, e.code]).toEqual([422, 'cap_no_area']);
    expect(
      refusal(() => capToAlert(fixture('lingchuan-flood-orange-polygon.xml'), lcContext({ terminals: [] })))
        .code,
    ).toBe('cap_no_area');
  });

  it('defaults expires to six hours after onset/sent, with a note; refuses expired messages', () => {
    const r = capToAlert(parseCap(infoWith((i) => i.replace(/<expires>[^<]*<\/expires>/, ''))), lcContext());
    expect(r.input?.expiresAt).toBe(Date.parse('2026-07-01T14:00:00+08:00'));
    expect(r.notes.join()).toMatch(/6 小时/);
    const late = lcContext({ now: Date.parse('2026-07-01T21:00:00+08:00') });
    expect(refusal(() => capToAlert(fixture('lingchuan-rainstorm-red-geocode.xml'), late)).code).toBe(
      'cap_expired',
    );
  });

  it('refuses an Alert without info and expires not after onset', () => {
    const bare = parseCap(capDoc({ info: '' }));
    expect(refusal(() => capToAlert(bare, lcContext())).code).toBe('cap_no_info');
    const backwards = infoWith((i) =>
      i.replace('<expires>', '<onset>2026-07-01T21:00:00+08:00</onset><expires>'),
    );
    expect(refusal(() => capToAlert(parseCap(backwards), lcContext())).code).toBe('cap_bad_times');
  });

  it('sanitises eventCode, cleans HTML line breaks, clips long fields and reads inline audio', () => {
    const info = capDoc()
      .match(/<info>.*<\/info>/)![0]
      .replace(
        '<expires>',
        '<eventCode><valueName>SAME</valueName><value>S-V_R!</value></eventCode><expires>',
      )
      .replace(
        '</expires>',
        `</expires><headline>${'长'.repeat(250)}</headline><description>第一行&lt;br /&gt;第二行</description>` +
          '<resource><resourceDesc>音频</resourceDesc><mimeType>audio/mpeg</mimeType><derefUri>SUQz\nBA==</derefUri></resource>',
      );
    const r = capToAlert(parseCap(capDoc({ info })), lcContext());
    expect(r.input?.eventCode).toBe('SVR');
    expect(r.input?.text).toBe('第一行\n第二行');
    expect(r.input?.title).toHaveLength(200);
    expect(r.audio?.mimeType).toBe('audio/mpeg');
    expect(r.audio?.data.toString('latin1')).toBe('ID3\u0004');
  });
});
