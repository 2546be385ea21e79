import type { AreaService } from '../areas/area-service.ts';
import { AppError, notFound } from '../errors.ts';
import type { AlertService } from './alert-service.ts';
import type { AlertRecord, AlertStore } from './alert-store.ts';
import { type CapImport, type CapTerminal, capToAlert, parseCap } from './cap/index.ts';
import type { CapSource } from './cap-sources.ts';

export interface CapFeedDeps {
  alerts: AlertService;
  store: AlertStore;
  areas: AreaService;
  /** Enabled terminals with coordinates, for CAP polygons and circles. */
  located: () => CapTerminal[];
  /** Turns audio carried in the message into stored terminal audio; returns its sha256. */
  storeAudio: (data: Buffer, mimeType: string) => Promise<string>;
  now: () => number;
}

export interface CapReceipt {
  kind: CapImport['kind'];
  alerts: AlertRecord[];
  /** Whether the alert waits for an officer's confirmation (the source's policy for its severity). */
  held: boolean;
  notes: string[];
}

/**
 * A department's CAP message, from parse to alert: refused whole when it is malformed, replayed (same sender and
 * identifier again), outside the source's allowance, or names alerts this source did not raise.
 */
export class CapFeed {
  constructor(private readonly deps: CapFeedDeps) {}

  async receive(source: CapSource, xml: Buffer): Promise<CapReceipt> {
    const { store, now } = this.deps;
    const cap = parseCap(xml);
    if (store.capMessageSeen(cap.sender, cap.identifier)) {
      throw new AppError(
        409,
        'cap_duplicate',
        `CAP 消息 ${cap.identifier}（${cap.sender}）已收到过，不再处理`,
      );
    }
    const imp = capToAlert(cap, {
      now: now(),
      allowedAreaCodes: source.allowedCodes,
      knownAreaCodes: (code) => this.deps.areas.get(code) !== null,
      terminals: this.deps.located(),
    });
    // Claimed before anything is done, so the same message sent twice at once is handled once.
    store.recordCapMessage({
      sender: imp.sender,
      identifier: imp.identifier,
      sourceId: source.id,
      msgType: imp.kind,
      alertId: null,
      at: now(),
    });
    try {
      const receipt = await this.act(imp, source);
      store.linkCapMessage(imp.sender, imp.identifier, receipt.alerts[0]!.id);
      return receipt;
    } catch (e) {
      store.forgetCapMessage(imp.sender, imp.identifier);
      throw e;
    }
  }

  private async act(imp: CapImport, source: CapSource): Promise<CapReceipt> {
    const { alerts } = this.deps;
    const issuer = { kind: 'cap', sourceId: source.id } as const;
    if (imp.kind === 'cancel') {
      const ended: AlertRecord[] = [];
      for (const a of this.referenced(imp, source)) {
        if (a.state === 'active' || a.state === 'pending')
          ended.push(await alerts.cancel(a.id, issuer, 'CAP Cancel'));
      }
      if (ended.length === 0) throw unknownReference();
      return { kind: 'cancel', alerts: ended, held: false, notes: imp.notes };
    }
    const input = { ...imp.input! };
    if (imp.audio) input.mediaSha256 = await this.deps.storeAudio(imp.audio.data, imp.audio.mimeType);
    const held = source.policy[imp.severity] === 'confirm';
    if (imp.kind === 'update') {
      const target = this.referenced(imp, source).at(-1);
      if (!target) throw unknownReference();
      const updated = await alerts.update(target.id, input, issuer);
      return { kind: 'update', alerts: [updated], held: updated.state === 'pending', notes: imp.notes };
    }
    const raised = await alerts.raise(input, issuer, {
      drill: imp.drill,
      hold: held,
      cap: { sender: imp.sender, identifier: imp.identifier },
    });
    return { kind: 'alert', alerts: [raised], held, notes: imp.notes };
  }

  /** The alerts this source raised that a message's references name, oldest first. */
  private referenced(imp: CapImport, source: CapSource): AlertRecord[] {
    const found = new Map<string, AlertRecord>();
    for (const r of imp.references) {
      const a = this.deps.store.byCap(r.sender, r.identifier);
      if (a && a.source === `cap:${source.id}`) found.set(a.id, a);
    }
    return [...found.values()].sort((x, y) => x.createdAt - y.createdAt);
  }
}

const unknownReference = () =>
  notFound('cap_reference_unknown', 'CAP 消息引用的预警不存在，或不是本信息源发布的');
