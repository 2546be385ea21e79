import { randomBytes } from 'node:crypto';
import {
  type Command,
  type Envelope,
  type Signer,
  signEnvelope,
  sm2GenerateKeyPair,
  sm2KeyId,
} from '@dlb/protocol';

export interface TestKey extends Signer {
  publicKey: string;
}

export function makeKey(): TestKey {
  const k = sm2GenerateKeyPair();
  return { kid: sm2KeyId(k.publicKey), privateKey: k.privateKey, publicKey: k.publicKey };
}

export function newId(): string {
  return `cmd_${randomBytes(8).toString('hex')}`;
}

export interface EnvelopeTimes {
  id?: string;
  issuedAt?: number;
  expiresAt?: number;
  notBefore?: number;
}

/** Sign a command as the centre would. */
export function sign(cmd: Command, key: Signer, t: EnvelopeTimes = {}): Envelope {
  const issuedAt = t.issuedAt ?? Date.now();
  return signEnvelope(
    {
      ...cmd,
      id: t.id ?? newId(),
      issuedAt,
      expiresAt: t.expiresAt ?? issuedAt + 10 * 60_000,
      ...(t.notBefore !== undefined ? { notBefore: t.notBefore } : {}),
    },
    key,
  );
}
