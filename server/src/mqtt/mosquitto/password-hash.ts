import { pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Mosquitto 2.0 password hashes (`mosquitto_passwd -H sha512-pbkdf2`, its default):
 * `$7$<iterations>$<base64 salt>$<base64 PBKDF2-HMAC-SHA512, 64 bytes>`, the salt being hashed as raw
 * bytes (not its base64 text). Checked against mosquitto_passwd 2.0.11, which uses 101 iterations and a
 * 12-byte salt.
 */
const DEFAULT_ITERATIONS = 101;
const SALT_BYTES = 12;
const KEY_BYTES = 64;

export function mosquittoPasswordHash(
  password: string,
  opts: { iterations?: number; salt?: Buffer } = {},
): string {
  const iterations = opts.iterations ?? DEFAULT_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < 1) throw new Error(`迭代次数无效：${iterations}`);
  const salt = opts.salt ?? randomBytes(SALT_BYTES);
  if (salt.length === 0) throw new Error('盐不能为空');
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, KEY_BYTES, 'sha512');
  return `$7$${iterations}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Checks a password against a `$7$` hash, as the broker would; false for anything malformed. */
export function verifyMosquittoPassword(password: string, hash: string): boolean {
  const m = /^\$7\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(hash);
  if (!m) return false;
  const iterations = Number(m[1]);
  if (!Number.isSafeInteger(iterations) || iterations < 1) return false;
  const expected = Buffer.from(m[3]!, 'base64');
  const key = pbkdf2Sync(
    Buffer.from(password, 'utf8'),
    Buffer.from(m[2]!, 'base64'),
    iterations,
    KEY_BYTES,
    'sha512',
  );
  return expected.length === key.length && timingSafeEqual(expected, key);
}

/** One `username:hash` line; refuses names the file format cannot hold (a `:` or a line break would split it). */
export function passwordFileLine(username: string, hash: string): string {
  if (!/^[^\s:]+$/.test(username))
    throw new Error(`用户名不能用于 Mosquitto 密码文件：${JSON.stringify(username)}`);
  if (!/^\$[^\s:]+$/.test(hash)) throw new Error(`密码散列格式无效（用户 ${username}）`);
  return `${username}:${hash}`;
}
