import { readFileSync } from 'node:fs';
import path from 'node:path';
import { topics } from '@dlb/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Centre } from '../server/src/centre.ts';
import { capTime, parseCap } from '../server/src/emergency/cap/index.ts';
import { ApiClient } from './helpers/api-client.ts';
import { tempDir } from './helpers/fleet.ts';
import { startInProcessCentre } from './helpers/in-process-centre.ts';
import { REPO_ROOT } from './helpers/processes.ts';

/**
 * Department CAP 1.2 feeds through the real HTTP API of an in-process centre: a source allowed only 大圩镇
 * (450323101) raises, holds, updates and cancels alerts; every bad message is refused with a clear 4xx, raises
 * nothing, and is written to the audit trail; the centre keeps answering; our own CAP export reads back.
 */

const DAXU = '450323101';
const TANXIA = '450323104';
const SENDER = 'qxj@lingchuan.example.cn';
const PW = 'cap-officer-pw-0001';
const fixture = (name: string) => readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'cap', name), 'utf8');

interface CapOpts {
  id: string;
  msgType?: 'Alert' | 'Update' | 'Cancel';
  severity?: 'Extreme' | 'Severe' | 'Moderate' | 'Minor';
  codes?: string[];
  references?: string[];
  headline?: string;
  ns?: string;
  status?: string;
}

/** A CAP 1.2 暴雨 warning of our own, valid from now for an hour. */
function cap(o: CapOpts): string {
  const now = Date.now();
  const codes = o.codes ?? [DAXU];
  const refs = o.references ? `<references>${o.references.join(' ')}</references>` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="${o.ns ?? 'urn:oasis:names:tc:emergency:cap:1.2'}">
  <identifier>${o.id}</identifier>
  <sender>${SENDER}</sender>
  <sent>${capTime(now)}</sent>
  <status>${o.status ?? 'Actual'}</status>
  <msgType>${o.msgType ?? 'Alert'}</msgType>
  <scope>Public</scope>
  ${refs}
  <info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>暴雨</event>
    <urgency>Immediate</urgency>
    <severity>${o.severity ?? 'Severe'}</severity>
    <certainty>Likely</certainty>
    <eventCode><valueName>DLB:EventType</valueName><value>11B03</value></eventCode>
    <effective>${capTime(now - 1000)}</effective>
    <expires>${capTime(now + 3600_000)}</expires>
    <senderName>灵川县气象台</senderName>
    <headline>${o.headline ?? '灵川县气象台发布暴雨橙色预警信号'}</headline>
    <description>预计未来3小时大圩镇降雨量将达50毫米以上。</description>
    <instruction>请低洼地带群众注意防范。</instruction>
    <area>
      <areaDesc>灵川县</areaDesc>
      ${codes.map((c) => `<geocode><valueName>GB/T2260</valueName><value>${c}</value></geocode>`).join('')}
    </area>
  </info>
</alert>`;
}

/** The reference a later message uses for an earlier one (CAP: sender,identifier,sent). */
const ref = (id: string) => `${SENDER},${id},${capTime(Date.now())}`;

type Receipt = {
  kind: string;
  held: boolean;
  alerts: Array<{ id: string; state: string; revision: number; level: string; area: { codes: string[] } }>;
};

describe('CAP 1.2 feed through the API (in-process centre)', () => {
  const tmp = tempDir('dlb-cap-feed-');
  let centre: Centre;
  let admin: ApiClient;
  let officer: ApiClient;
  let credential = '';
  let sourceId = '';
  let seq = 0;
  /** Alert commands the centre published on the broker: [topic, kind, alertId]. */
  const published: Array<[string, string, string]> = [];
  const sent = (alertId: string) => published.filter((p) => p[2] === alertId).map((p) => [p[0], p[1]]);
  const settle = () => new Promise((r) => setTimeout(r, 300));
  const uid = (tag: string) => `LC-QX-${tag}-${Date.now()}-${++seq}`;

  beforeAll(async () => {
    ({ centre, api: admin } = await startInProcessCentre(tmp.dir));
    await centre.services.users.create({
      username: 'officer',
      displayName: '值守员',
      password: PW,
      roles: [{ role: 'emergency_officer', scopeCode: null }],
    });
    officer = new ApiClient(centre.httpUrl);
    await officer.login('officer', PW);
    await centre.services.broker.subscribe('dlb/v1/#', (topic, payload) => {
      if (!topic.endsWith('/cmd')) return;
      const e = JSON.parse(payload.toString()) as { kind: string; body: { alertId?: string } };
      if (e.body.alertId) published.push([topic, e.kind, e.body.alertId]);
    });
    // Terminals in both townships, so that alerts have somewhere to sound.
    for (const v of ['450323101200', '450323104200']) centre.services.terminals.register({ villageCode: v });
    const r = await admin.call<{
      source: { id: string; policy: Record<string, string> };
      credential: string;
    }>('POST', '/api/cap-sources', { name: '灵川县气象台', allowedCodes: [DAXU] });
    sourceId = r.source.id;
    credential = r.credential;
    expect(r.source.policy).toMatchObject({ Extreme: 'sound', Severe: 'sound', Moderate: 'confirm' });
  }, 60_000);

  afterAll(async () => {
    await centre?.stop();
    await tmp.cleanup();
  });

  const post = (xml: string | Buffer, opts: { auth?: string | null; type?: string } = {}) =>
    fetch(`${centre.httpUrl}/api/cap`, {
      method: 'POST',
      headers: {
        'content-type': opts.type ?? 'application/xml',
        ...(opts.auth === null ? {} : { authorization: `Bearer ${opts.auth ?? credential}` }),
      },
      body: xml,
    });
  const accepted = async (xml: string): Promise<Receipt> => {
    const res = await post(xml);
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(201);
    return body as Receipt;
  };
  const refused = async (res: Response) => ({
    status: res.status,
    code: ((await res.json().catch(() => ({}))) as { error?: { code?: string } }).error?.code,
  });
  const alertCount = () => (centre.db.prepare('SELECT COUNT(*) AS n FROM alerts').get() as { n: number }).n;
  const capAudit = () =>
    centre.db
      .prepare(`SELECT outcome, target, detail FROM audit_log WHERE action = 'cap.receive' ORDER BY seq`)
      .all() as Array<{ outcome: string; target: string | null; detail: string }>;
  const getAlert = (id: string) =>
    officer.call<{ alert: { id: string; status: string; revision: number; level: string; title: string } }>(
      'GET',
      `/api/alerts/${id}`,
    );

  let severeId = '';
  let severeCapId = '';

  it('a Severe 暴雨 warning from an allowed source sounds at once', async () => {
    const audits = capAudit().length;
    severeCapId = uid('SEV');
    const r = await accepted(cap({ id: severeCapId, severity: 'Severe' }));
    expect(r.kind).toBe('alert');
    expect(r.held).toBe(false);
    expect(r.alerts).toHaveLength(1);
    expect(r.alerts[0]).toMatchObject({ state: 'active', level: 'orange', area: { codes: [DAXU] } });
    severeId = r.alerts[0]!.id;
    expect((await getAlert(severeId)).alert.status).toBe('active');
    await settle();
    expect(sent(severeId)).toEqual([[topics.areaCmd(DAXU), 'alert']]);
    const a = capAudit().slice(audits);
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ outcome: 'ok', target: `alert:${severeId}` });
  });

  it('the same message posted twice is refused 409 cap_duplicate and raises nothing', async () => {
    const n = alertCount();
    const p = published.length;
    const again = await refused(await post(cap({ id: severeCapId, severity: 'Severe' })));
    expect(again).toEqual({ status: 409, code: 'cap_duplicate' });
    expect(alertCount()).toBe(n);
    await settle();
    expect(published.length).toBe(p);
    expect(capAudit().at(-1)).toMatchObject({ outcome: 'failed' });
    expect(JSON.parse(capAudit().at(-1)!.detail)).toMatchObject({ code: 'cap_duplicate' });
  });

  it('an Update (references) revises the alert; a Cancel cancels it', async () => {
    const up = await accepted(
      cap({
        id: uid('UPD'),
        msgType: 'Update',
        severity: 'Extreme',
        references: [ref(severeCapId)],
        headline: '灵川县气象台将暴雨预警升为红色',
      }),
    );
    expect(up.kind).toBe('update');
    expect(up.alerts[0]).toMatchObject({ id: severeId, revision: 2, level: 'red', state: 'active' });
    const seen = await getAlert(severeId);
    expect(seen.alert).toMatchObject({ revision: 2, level: 'red', title: '灵川县气象台将暴雨预警升为红色' });

    const c = await accepted(cap({ id: uid('CNL'), msgType: 'Cancel', references: [ref(severeCapId)] }));
    expect(c.kind).toBe('cancel');
    expect(c.alerts[0]).toMatchObject({ id: severeId, state: 'cancelled' });
    expect((await getAlert(severeId)).alert.status).toBe('cancelled');
    await settle();
    expect(sent(severeId)).toEqual([
      [topics.areaCmd(DAXU), 'alert'],
      [topics.areaCmd(DAXU), 'alert'],
      [topics.areaCmd(DAXU), 'alert-cancel'],
    ]);
    // Cancelling again: nothing left to cancel.
    const twice = await refused(
      await post(cap({ id: uid('CNL'), msgType: 'Cancel', references: [ref(severeCapId)] })),
    );
    expect(twice).toEqual({ status: 404, code: 'cap_reference_unknown' });
  });

  it('a Moderate warning is held (pending) until an emergency officer confirms it', async () => {
    const r = await accepted(cap({ id: uid('MOD'), severity: 'Moderate' }));
    expect(r.held).toBe(true);
    expect(r.alerts[0]).toMatchObject({ state: 'pending', level: 'yellow' });
    const id = r.alerts[0]!.id;
    expect((await getAlert(id)).alert.status).toBe('pending');
    // Nothing was published while it waited; the officer's confirmation publishes it.
    await settle();
    expect(sent(id)).toEqual([]);
    const ok = await officer.call<{ alert: { status: string } }>('POST', `/api/alerts/${id}/confirm`);
    expect(ok.alert.status).toBe('active');
    expect((await getAlert(id)).alert.status).toBe('active');
    await settle();
    expect(sent(id)).toEqual([[topics.areaCmd(DAXU), 'alert']]);
  });

  it('refuses a wrong credential and a disabled source with 401, raising nothing', async () => {
    const n = alertCount();
    const audits = capAudit().length;
    const [sid, secret] = [
      credential.slice(0, credential.indexOf(':')),
      credential.slice(credential.indexOf(':') + 1),
    ];
    expect(sid).toBe(sourceId);
    for (const auth of [`${sid}:${secret.slice(0, -2)}xx`, `capsrc0000000000:${secret}`, 'garbage', null]) {
      const r = await refused(await post(cap({ id: uid('AUTH') }), { auth }));
      expect([r.status, r.code], String(auth)).toEqual([401, 'cap_source_unauthorized']);
    }
    // A second source, disabled: its credential stops working at once.
    const other = await admin.call<{ source: { id: string }; credential: string }>(
      'POST',
      '/api/cap-sources',
      {
        name: '灵川县水利局',
        allowedCodes: [DAXU],
      },
    );
    expect((await post(cap({ id: uid('OTHER') }), { auth: other.credential })).status).toBe(201);
    await admin.call('POST', `/api/cap-sources/${other.source.id}/disable`);
    const off = await refused(await post(cap({ id: uid('OFF') }), { auth: other.credential }));
    expect(off).toEqual({ status: 401, code: 'cap_source_unauthorized' });
    expect(alertCount()).toBe(n + 1);
    const a = capAudit().slice(audits);
    expect(a.map((x) => x.outcome)).toEqual(['denied', 'denied', 'denied', 'denied', 'ok', 'denied']);
  });

  it('refuses an area outside the allowance with 403, raising nothing', async () => {
    const n = alertCount();
    const p = published.length;
    for (const codes of [[TANXIA], [DAXU, TANXIA], ['450323'], ['450323104200']]) {
      const r = await refused(await post(cap({ id: uid('AREA'), codes })));
      expect([r.status, r.code], codes.join(',')).toEqual([403, 'cap_area_not_allowed']);
    }
    expect(alertCount()).toBe(n);
    expect(capAudit().at(-1)).toMatchObject({ outcome: 'failed' });
    await settle();
    expect(published.length).toBe(p);
  });

  it('refuses bad documents with a clear 4xx, raising nothing and writing each refusal to the audit trail', async () => {
    const n = alertCount();
    const audits = capAudit().length;
    const cases: Array<[string, string | Buffer, number, string, string?]> = [
      ['not XML', '<alert><identifier>x</identifier', 400, 'cap_malformed'],
      ['plain text', 'this is not xml at all', 400, 'cap_malformed'],
      // (CAP 1.1's namespace is read on purpose, for older feeds: see cap-interop.test.ts.)
      ['foreign namespace', cap({ id: uid('NS'), ns: 'urn:example:not-cap' }), 400, 'cap_wrong_namespace'],
      ['DOCTYPE / external entity', fixture('invalid-xxe-doctype.xml'), 400, 'cap_doctype_forbidden'],
      ['billion laughs', fixture('invalid-billion-laughs.xml'), 400, 'cap_doctype_forbidden'],
      ['update without references', fixture('invalid-update-without-references.xml'), 400, 'cap_invalid'],
      ['expired fixture', fixture('lingchuan-rainstorm-red-geocode.xml'), 422, 'cap_expired'],
      ['Test status', cap({ id: uid('TEST'), status: 'Test' }), 422, 'cap_not_actual'],
      [
        'oversized body',
        `${cap({ id: uid('BIG') }).replace('</alert>', '')}<note>${'x'.repeat(300 * 1024)}</note></alert>`,
        413,
        'payload_too_large',
      ],
    ];
    for (const [what, xml, status, code] of cases) {
      const r = await refused(await post(xml));
      expect(r.status, what).toBe(status);
      // The code names the problem (413's code is whatever the server's payloadTooLarge uses).
      if (status !== 413) expect(r.code, what).toBe(code);
      else expect(r.code, what).toBeTruthy();
    }
    const a = capAudit().slice(audits);
    expect(a).toHaveLength(cases.length);
    expect(a.every((x) => x.outcome === 'failed')).toBe(true);
    expect(alertCount()).toBe(n);
    const health = await fetch(`${centre.httpUrl}/healthz`);
    expect(health.status).toBe(200);
  });

  it('refuses a wrong content type with 415, raising nothing, and writes each refusal to the audit trail', async () => {
    const n = alertCount();
    const audits = capAudit().length;
    for (const type of ['application/json', 'text/plain', 'application/x-www-form-urlencoded']) {
      const r = await refused(await post(cap({ id: uid('TYPE') }), { type }));
      expect([r.status, r.code], type).toEqual([415, 'unsupported_media']);
    }
    expect(alertCount()).toBe(n);
    expect((await fetch(`${centre.httpUrl}/healthz`)).status).toBe(200);
    // PRODUCT BUG (left failing on purpose): the 415 is thrown by the generic route layer
    // (server/src/api/route-registry.ts, the rawBody content-type check) before the /api/cap handler runs, and
    // /api/cap audits itself (`audit: 'handler'` in server/src/api/routes/cap-routes.ts), so these refused
    // receipts never reach the audit trail, unlike every other refusal of /api/cap (401, 403, 409, 413, 4xx parse).
    expect(capAudit().length - audits, 'cap.receive rows for three 415 refusals').toBe(3);
  });

  it('exports an alert as CAP 1.2 XML that parseCap reads back', async () => {
    const { alert } = await officer.call<{ alert: { id: string; revision: number } }>('POST', '/api/alerts', {
      level: 'orange',
      eventCode: '11B03',
      issuer: '灵川县应急管理局',
      area: { codes: [DAXU, '450323104200'] },
      expiresAt: Date.now() + 3600_000,
      title: '暴雨橙色预警',
      text: '灵川县气象台发布暴雨橙色预警，请注意防范。',
    });
    const res = await officer.raw('GET', `/api/alerts/${alert.id}/cap`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/cap\+xml/);
    const xml = await res.text();
    const back = parseCap(Buffer.from(xml));
    expect(back.identifier).toBe(`${alert.id}.1`);
    expect(back.identifier).toMatch(/^a[a-z0-9]{8,40}\.\d+$/);
    expect(back.status).toBe('Actual');
    expect(back.msgType).toBe('Alert');
    const info = back.info[0]!;
    expect(info.severity).toBe('Severe');
    expect(info.area.flatMap((x) => x.geocode.map((g) => g.value)).sort()).toEqual(
      [DAXU, '450323104200'].sort(),
    );
    // Red → Extreme, and a cancelled alert exports as a Cancel referring to the first message.
    const red = await officer.call<{ alert: { id: string } }>('POST', '/api/alerts', {
      level: 'red',
      eventCode: '11B03',
      issuer: '灵川县应急管理局',
      area: { codes: [TANXIA] },
      expiresAt: Date.now() + 3600_000,
      title: '暴雨红色预警',
      text: '灵川县气象台发布暴雨红色预警，请立即转移。',
    });
    await officer.call('POST', `/api/alerts/${red.alert.id}/cancel`, { reason: '解除' });
    const cx = parseCap(
      Buffer.from(await (await officer.raw('GET', `/api/alerts/${red.alert.id}/cap`)).text()),
    );
    expect(cx.msgType).toBe('Cancel');
    expect(cx.info[0]!.severity).toBe('Extreme');
    expect(cx.references.map((r) => r.identifier)).toEqual([`${red.alert.id}.1`]);
    expect((await fetch(`${centre.httpUrl}/healthz`)).status).toBe(200);
  });
});
