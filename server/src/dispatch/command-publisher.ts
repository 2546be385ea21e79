import { randomBytes } from 'node:crypto';
import { type Audience, type Command, type Signer, signEnvelope } from '@dlb/protocol';
import { unavailable } from '../errors.ts';
import type { BrokerLink } from '../mqtt/broker-link.ts';

/** A topic to publish on and whom the command there is addressed to (the agent checks they agree). */
export interface Publication {
  topic: string;
  audience: Audience;
}

export const newId = (prefix: string) =>
  `${prefix}${Date.now().toString(36)}${randomBytes(8).toString('hex')}`;

/** Signs a command once per publication and publishes it (QoS 1, never retained). */
export class CommandPublisher {
  constructor(
    private readonly deps: { broker: BrokerLink; signer: Signer; now: () => number; ttlMs: number },
  ) {}

  /**
   * `commandFor` builds the command for each audience; envelope ids are `baseId` (one publication) or
   * `baseId-i`. Resolves when the broker has taken every publication; throws 503 if it cannot.
   */
  async send(
    baseId: string,
    publications: readonly Publication[],
    commandFor: (audience: Audience) => Command,
    expiresAt = this.deps.now() + this.deps.ttlMs,
  ): Promise<void> {
    const issuedAt = this.deps.now();
    const signed = publications.map((p, i) => ({
      topic: p.topic,
      envelope: signEnvelope(
        {
          id: publications.length === 1 ? baseId : `${baseId}-${i}`,
          issuedAt,
          expiresAt,
          ...commandFor(p.audience),
        },
        this.deps.signer,
      ),
    }));
    try {
      await Promise.all(
        signed.map((s) => this.deps.broker.publish(s.topic, JSON.stringify(s.envelope), { qos: 1 })),
      );
    } catch (e) {
      throw unavailable('publish_failed', `指令发送失败，消息服务器不可用: ${(e as Error).message}`);
    }
  }
}
