import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Signer, sm2GenerateKeyPair, sm2KeyId, sm2PublicKeyOf } from '@dlb/protocol';
import { z } from 'zod';

const KeyFileSchema = z.object({
  alg: z.literal('SM2-SM3'),
  kid: z.string(),
  privateKey: z.string().regex(/^[0-9a-f]{64}$/),
  publicKey: z.string().regex(/^04[0-9a-f]{128}$/),
  createdAt: z.number(),
});

export interface SigningKeys {
  signer: Signer;
  publicKey: string;
  kid: string;
}

/**
 * The centre's SM2 signing key: made on first start, kept in dataDir/keys (mode 0600).
 * Terminals pin its public key at provisioning.
 */
export function loadOrCreateSigningKeys(dataDir: string, now: () => number = Date.now): SigningKeys {
  const dir = path.join(dataDir, 'keys');
  const file = path.join(dir, 'signing-key.json');
  if (existsSync(file)) {
    const parsed = KeyFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) throw new Error(`签名密钥文件损坏: ${file}`);
    const k = parsed.data;
    if (sm2PublicKeyOf(k.privateKey) !== k.publicKey || sm2KeyId(k.publicKey) !== k.kid) {
      throw new Error(`签名密钥文件中的公钥与私钥不匹配: ${file}`);
    }
    return { signer: { kid: k.kid, privateKey: k.privateKey }, publicKey: k.publicKey, kid: k.kid };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pair = sm2GenerateKeyPair();
  const kid = sm2KeyId(pair.publicKey);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify({ alg: 'SM2-SM3', kid, ...pair, createdAt: now() }, null, 2), {
    mode: 0o600,
  });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return { signer: { kid, privateKey: pair.privateKey }, publicKey: pair.publicKey, kid };
}
