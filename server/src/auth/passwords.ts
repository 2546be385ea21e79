import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** argon2id (the library's const enum value 2) with OWASP's minimum profile (19 MiB, 2 passes). */
const ARGON2ID = 2;
const PARAMS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, PARAMS);
}

export async function verifyPassword(hashed: string, password: string): Promise<boolean> {
  try {
    return await verify(hashed, password);
  } catch {
    return false;
  }
}

/** A password for a first-start admin: 20 characters without look-alikes. */
export function generatePassword(length = 20): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/**
 * Well-known passwords of 10+ characters (shorter ones are refused anyway), compared without case:
 * the first guesses of anyone trying names against the login form.
 */
const COMMON_PASSWORDS = new Set([
  '0123456789',
  '1234567890',
  '0987654321',
  '9876543210',
  '12345678910',
  '123456789a',
  'a123456789',
  '123456789abc',
  'abc1234567',
  'abc123456789',
  '1q2w3e4r5t',
  '1q2w3e4r5t6y',
  '1qaz2wsx3edc',
  'qwertyuiop',
  'qwerty123456',
  'qwe123456789',
  'asdfghjkl;',
  'asdfghjkl123',
  'zxcvbnm123',
  'zxcvbnm,./',
  'password12',
  'password123',
  'password1234',
  'password!@#',
  'p@ssw0rd123',
  'p@ssword123',
  'passw0rd123',
  'iloveyou123',
  'admin12345',
  'admin123456',
  'admin@123456',
  'administrator',
  'changeme123',
  'welcome123',
  'letmein1234',
  'abcdefghij',
  'abcd123456',
  'aa12345678',
  'woaini1314',
  'woaini520520',
  '5201314520',
  '1314520520',
  'dalaba123456',
]);

/**
 * Why a password is not accepted for an account, or null when it is. `username` and `current` (the
 * password being replaced) are refused as new passwords when given.
 */
export function passwordProblem(
  password: string,
  context: { username?: string; current?: string } = {},
): string | null {
  const chars = Array.from(password);
  if (chars.length < 10) return '密码至少10位';
  if (chars.length > 200) return '密码过长（最多200位）';
  if (new Set(chars).size === 1) return '密码不能是同一个字符的重复';
  const lower = password.toLowerCase();
  if (context.username !== undefined && lower === context.username.toLowerCase())
    return '密码不能与用户名相同';
  if (context.current !== undefined && password === context.current) return '新密码不能与当前密码相同';
  if (COMMON_PASSWORDS.has(lower)) return '密码过于常见，容易被猜中，请换一个';
  return null;
}
