import { createHash } from 'node:crypto';

/** SM3 (GB/T 32905) via Node's OpenSSL; strings are hashed as their UTF-8 bytes. */
export function sm3(data: Uint8Array | string): Uint8Array {
  const digest = createHash('sm3').update(data).digest();
  // A plain Uint8Array view, so callers never depend on Buffer-only behaviour.
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}

export function sm3Hex(data: Uint8Array | string): string {
  return createHash('sm3').update(data).digest('hex');
}
