import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, passwordProblem, verifyPassword } from './passwords.ts';

describe('passwordProblem', () => {
  it('accepts a long, unremarkable password', () => {
    expect(passwordProblem('晨曦-稻田-42-广播')).toBeNull();
    expect(
      passwordProblem('correct horse battery', { username: 'zhang.san', current: 'old-password-1' }),
    ).toBeNull();
  });

  it('refuses short and overlong passwords, counting characters rather than UTF-16 units', () => {
    expect(passwordProblem('short1234')).toBe('密码至少10位');
    expect(passwordProblem('a'.repeat(9) + 'b')).toBeNull();
    expect(passwordProblem('😀'.repeat(9))).toBe('密码至少10位');
    expect(passwordProblem('x'.repeat(150) + 'y'.repeat(51))).toMatch(/过长/);
    expect(passwordProblem('x'.repeat(100) + 'y'.repeat(100))).toBeNull();
  });

  it('refuses one character repeated', () => {
    expect(passwordProblem('aaaaaaaaaaaa')).toMatch(/重复/);
    expect(passwordProblem('喇'.repeat(12))).toMatch(/重复/);
  });

  it('refuses the username (any case) and the current password', () => {
    expect(passwordProblem('Zhangsan.01', { username: 'zhangsan.01' })).toMatch(/用户名/);
    expect(passwordProblem('same-old-password', { current: 'same-old-password' })).toMatch(/当前密码/);
  });

  it('refuses common passwords whatever their case', () => {
    for (const p of ['1234567890', 'Password123', 'QWERTYUIOP', 'woaini1314', '1qaz2wsx3edc'])
      expect(passwordProblem(p), p).toMatch(/常见/);
  });
});

describe('hashing', () => {
  it('verifies the right password only, and never throws on a malformed hash', async () => {
    const h = await hashPassword('the-right-password');
    expect(h).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(h, 'the-right-password')).toBe(true);
    expect(await verifyPassword(h, 'the-wrong-password')).toBe(false);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
  });

  it('generates passwords the strength rules accept', () => {
    const p = generatePassword();
    expect(p).toHaveLength(20);
    expect(passwordProblem(p)).toBeNull();
  });
});
