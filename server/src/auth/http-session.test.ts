import { describe, expect, it } from 'vitest';
import { clearedSessionCookie, originMatchesHost, parseCookies, sessionCookie } from './http-session.ts';

describe('parseCookies', () => {
  it('reads name=value pairs, trimming spaces and quotes, first occurrence winning', () => {
    const c = parseCookies(' dlb_session=abc.DEF-_ ; theme="dark"; dlb_session=second');
    expect(c.get('dlb_session')).toBe('abc.DEF-_');
    expect(c.get('theme')).toBe('dark');
  });

  it('decodes percent-escapes and keeps malformed ones as sent', () => {
    const c = parseCookies('a=%E5%96%87; b=%E0%A4%A; c=x=y');
    expect(c.get('a')).toBe('喇');
    expect(c.get('b')).toBe('%E0%A4%A');
    expect(c.get('c')).toBe('x=y');
  });

  it('survives garbage', () => {
    expect(parseCookies(undefined).size).toBe(0);
    expect(parseCookies('').size).toBe(0);
    expect(parseCookies(';;;  ;=;=x; novalue; \u0000=\u0001').size).toBe(1);
    expect(parseCookies(`a=${'x'.repeat(10_000)}`).size).toBe(0);
    expect(parseCookies('empty=').get('empty')).toBe('');
  });
});

describe('session cookie', () => {
  it('is HttpOnly, SameSite=Strict, for the whole site, with a lifetime, Secure over TLS', () => {
    expect(sessionCookie('tok', 3600, false)).toBe(
      'dlb_session=tok; HttpOnly; SameSite=Strict; Path=/; Max-Age=3600',
    );
    expect(sessionCookie('tok', 60, true)).toMatch(/; Secure$/);
    expect(clearedSessionCookie(false)).toBe('dlb_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0');
  });
});

describe('originMatchesHost', () => {
  it('accepts no Origin, or one naming the host the request went to', () => {
    expect(originMatchesHost(undefined, '127.0.0.1:8080')).toBe(true);
    expect(originMatchesHost('http://127.0.0.1:8080', '127.0.0.1:8080')).toBe(true);
    expect(originMatchesHost('https://DLB.example.cn', 'dlb.example.cn')).toBe(true);
  });

  it('refuses foreign, opaque and malformed origins', () => {
    expect(originMatchesHost('http://evil.example', '127.0.0.1:8080')).toBe(false);
    expect(originMatchesHost('http://127.0.0.1:9999', '127.0.0.1:8080')).toBe(false);
    expect(originMatchesHost('null', '127.0.0.1:8080')).toBe(false);
    expect(originMatchesHost('file:///x', 'x')).toBe(false);
    expect(originMatchesHost('http://127.0.0.1:8080', undefined)).toBe(false);
  });
});
