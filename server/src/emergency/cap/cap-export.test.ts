import { describe, expect, it } from 'vitest';
import { alertToCap, type CapExportAlert, capTime, categoryOfEventCode, xmlEscape } from './cap-export.ts';
import { parseCap } from './cap-parse.ts';
import { capToAlert } from './cap-to-alert.ts';
import { lcContext, refusal } from './test-helpers.ts';

const at = (s: string) => Date.parse(s);

const red: CapExportAlert = {
  id: 'DLB-450323-20260701-0001',
  sender: 'yjj@lingchuan.example.cn',
  sentAt: at('2026-07-01T08:00:00.750+08:00'),
  status: 'Actual',
  msgType: 'Alert',
  level: 'red',
  eventCode: '11B01',
  eventName: '暴雨',
  issuer: '灵川县应急管理局 & 气象台',
  language: 'zh-CN',
  title: '暴雨红色预警 <紧急>',
  text: '请立即转移 "低洼地带" 群众；\'注意\'安全。\u0007',
  startsAt: at('2026-07-01T08:30:00+08:00'),
  expiresAt: at('2026-07-01T20:00:00+08:00'),
  areaDescs: ['灵川县大圩镇', '灵川镇'],
  areaCodes: ['450323101', '450323100'],
  audioUrl: 'https://dlb.example.cn/media/abc.mp3?x=1&y=2',
};

describe('alertToCap', () => {
  it('writes times in +08:00 whatever the host zone, to the second', () => {
    expect(capTime(at('2026-07-01T00:30:00Z'))).toBe('2026-07-01T08:30:00+08:00');
    expect(capTime(at('2026-12-31T23:59:59.999+08:00'))).toBe('2026-12-31T23:59:59+08:00');
  });

  it('escapes markup and drops characters XML cannot carry', () => {
    expect(xmlEscape(`a<b>&"'\u0000\u0007c`)).toBe('a&lt;b&gt;&amp;&quot;&apos;c');
  });

  it('round-trips through parseCap and capToAlert', () => {
    const xml = alertToCap(red);
    expect(xml).toContain('<sent>2026-07-01T08:00:00+08:00</sent>');
    expect(xml).toContain('<severity>Extreme</severity>');
    expect(xml).not.toContain('\u0007');
    const cap = parseCap(xml);
    expect(cap).toMatchObject({ version: '1.2', identifier: red.id, sender: red.sender, status: 'Actual' });
    expect(cap.info[0]).toMatchObject({
      category: ['Met'],
      headline: red.title,
      senderName: red.issuer,
      expires: '2026-07-01T20:00:00+08:00',
    });
    expect(cap.info[0]?.resource[0]?.uri).toBe(red.audioUrl);
    const back = capToAlert(cap, lcContext({ now: red.sentAt }));
    expect(back).toMatchObject({ kind: 'alert', drill: false, severity: 'Extreme' });
    expect(back.input).toMatchObject({
      level: 'red',
      eventCode: '11B01',
      eventName: '暴雨',
      issuer: red.issuer,
      language: 'zh-CN',
      title: red.title,
      text: red.text.slice(0, -1),
      startsAt: red.startsAt,
      expiresAt: red.expiresAt,
      area: { codes: red.areaCodes, terminalIds: [] },
    });
    expect(back.audioUri).toEqual({ mimeType: 'audio/mpeg', uri: red.audioUrl });
  });

  it('round-trips each level, an exercise update and a cancel with references', () => {
    for (const level of ['red', 'orange', 'yellow', 'blue'] as const) {
      const back = capToAlert(parseCap(alertToCap({ ...red, level })), lcContext({ now: red.sentAt }));
      expect(back.input?.level).toBe(level);
    }
    const references = [{ sender: red.sender, identifier: red.id, sent: red.sentAt }];
    const upd = capToAlert(
      parseCap(alertToCap({ ...red, id: 'U-2', status: 'Exercise', msgType: 'Update', references })),
      lcContext({ now: red.sentAt }),
    );
    expect(upd).toMatchObject({ kind: 'update', drill: true });
    expect(upd.references).toEqual([
      { sender: red.sender, identifier: red.id, sent: '2026-07-01T08:00:00+08:00' },
    ]);
    // CapImport.references (CAP time strings) can be passed straight back.
    const cancel = parseCap(alertToCap({ ...red, id: 'C-3', msgType: 'Cancel', references: upd.references }));
    expect(capToAlert(cancel, lcContext()).kind).toBe('cancel');
    expect(cancel.references).toEqual(upd.references);
  });

  it('refuses what CAP cannot express', () => {
    expect(refusal(() => alertToCap({ ...red, id: 'a b' })).code).toBe('cap_export_invalid');
    expect(refusal(() => alertToCap({ ...red, sender: 'x,y' })).code).toBe('cap_export_invalid');
    expect(refusal(() => alertToCap({ ...red, msgType: 'Cancel' })).message).toMatch(/references/);
    expect(refusal(() => alertToCap({ ...red, areaDescs: [] })).code).toBe('cap_export_invalid');
    expect(refusal(() => alertToCap({ ...red, title: ' ' })).code).toBe('cap_export_invalid');
    const badRef = [{ sender: 'a', identifier: 'b', sent: 'yesterday' }];
    expect(refusal(() => alertToCap({ ...red, msgType: 'Update', references: badRef })).code).toBe(
      'cap_export_invalid',
    );
  });

  it('derives the CAP category from the national event code', () => {
    expect(
      ['11B01', '11C01', '11G02', '12B01', '13A01', '14A01', 'CAPFire', 'XYZ'].map(categoryOfEventCode),
    ).toEqual(['Met', 'Geo', 'Fire', 'Transport', 'Health', 'Security', 'Fire', 'Other']);
  });
});
