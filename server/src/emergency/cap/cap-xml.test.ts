import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.ts';
import { decodeEntities, readXml } from './cap-xml.ts';

function refusal(f: () => unknown): AppError {
  try {
    f();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('readXml (safe XML reading)', () => {
  it('refuses oversized input with 413 before parsing', () => {
    const big = `<a>${'x'.repeat(300 * 1024)}</a>`;
    const e = refusal(() => readXml(big));
    expect([e.status, e.code]).toEqual([413, 'cap_too_large']);
    expect(refusal(() => readXml(Buffer.from('<a>12345</a>'), { maxBytes: 5 })).code).toBe('cap_too_large');
    expect(readXml('<a>12345</a>', { maxBytes: 100 }).text).toBe('12345');
  });

  it('refuses a DOCTYPE with an external entity (XXE)', () => {
    const e = refusal(() =>
      readXml('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>'),
    );
    expect([e.status, e.code]).toEqual([400, 'cap_doctype_forbidden']);
    expect(e.message).toMatch(/DOCTYPE/);
  });

  it('refuses billion laughs without expanding anything, quickly', () => {
    const lols = Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join(
      '',
    );
    const started = Date.now();
    const e = refusal(() => readXml(`<!DOCTYPE a [<!ENTITY l0 "lol">${lols}]><a>&l9;</a>`));
    expect(e.code).toBe('cap_doctype_forbidden');
    expect(Date.now() - started).toBeLessThan(200);
    // A lone ENTITY declaration or a lower-case doctype is refused too.
    expect(refusal(() => readXml('<a><!ENTITY x "y"></a>')).code).toBe('cap_doctype_forbidden');
    expect(refusal(() => readXml('<!doctype html><a/>')).code).toBe('cap_doctype_forbidden');
  });

  it('refuses malformed XML as cap_malformed (400)', () => {
    for (const bad of ['', 'not xml', '<a><b></a>', '<a>', '<a/><b/>', '<a>x</a>trailing', '<p:a>x</p:a>']) {
      const e = refusal(() => readXml(bad));
      expect([bad, e.status, e.code]).toEqual([bad, 400, 'cap_malformed']);
    }
  });

  it('refuses undefined entities and illegal character references', () => {
    expect(refusal(() => readXml('<a>&nbsp;</a>')).code).toBe('cap_malformed');
    expect(refusal(() => readXml('<a>&#0;</a>')).code).toBe('cap_malformed');
    expect(refusal(() => readXml('<a>&#x110000;</a>')).code).toBe('cap_malformed');
    expect(refusal(() => readXml('<a>a & b</a>')).code).toBe('cap_malformed');
  });

  it('decodes only the predefined entities and character references, and keeps CDATA literal', () => {
    expect(decodeEntities('&lt;&gt;&amp;&quot;&apos;&#176;&#x2103;')).toBe(`<>&"'°℃`);
    expect(decodeEntities('&amp;lt;')).toBe('&lt;');
    const el = readXml('<a>x &amp; <![CDATA[<b>&amp;</b>]]> y</a>');
    expect(el.text).toBe('x & <b>&amp;</b> y');
  });

  it('refuses non-UTF-8 bytes, UTF-16 and other declared encodings', () => {
    expect(
      refusal(() => readXml(Buffer.from([0x3c, 0x61, 0x3e, 0xa7, 0xe4, 0x3c, 0x2f, 0x61, 0x3e]))).code,
    ).toBe('cap_malformed');
    expect(refusal(() => readXml(Buffer.from('\ufeff<a/>', 'utf16le'))).code).toBe('cap_malformed');
    expect(refusal(() => readXml('<?xml version="1.0" encoding="big5"?><a/>')).message).toMatch(/UTF-8/);
  });

  it('strips a BOM and resolves namespace prefixes, including redeclarations', () => {
    const el = readXml(
      Buffer.from('\ufeff<p:a xmlns:p="urn:one" xmlns="urn:def"><b/><p:c xmlns:p="urn:two"/></p:a>', 'utf8'),
    );
    expect([el.local, el.ns]).toEqual(['a', 'urn:one']);
    expect(el.children.map((c) => [c.local, c.ns])).toEqual([
      ['b', 'urn:def'],
      ['c', 'urn:two'],
    ]);
  });

  it('refuses absurd nesting instead of overflowing the stack', () => {
    const deep = `${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}`;
    expect(refusal(() => readXml(deep)).code).toBe('cap_malformed');
  });
});
