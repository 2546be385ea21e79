import type { Aedes } from 'aedes';

type OutgoingUpdate = (client: unknown, packet: object) => Promise<void>;

/**
 * Keeps aedes (1.2) from dropping a persistent session that reconnects while messages for it are queued
 * and live ones keep arriving — a terminal coming back while the centre acknowledges its reports.
 *
 * On reconnect aedes replays a snapshot of the session's queue. A queued message that was meanwhile
 * delivered live and acknowledged is no longer in the queue, so the replay's `outgoingUpdate` throws
 * 'no such packet' and aedes closes the new connection; the terminal then waits out its back-off for
 * nothing. Here such a message counts as delivered: the update succeeds, and the replay skips it through
 * `authorizeForward` (its filter asks that before writing). A live delivery that loses the same race the
 * other way round is written once more rather than dropping the connection: QoS 1 is at-least-once.
 */
export function guardSessionReplay(broker: Aedes): void {
  const persistence = (broker as unknown as { persistence: { outgoingUpdate: OutgoingUpdate } }).persistence;
  const update = persistence.outgoingUpdate.bind(persistence);
  const delivered = new WeakSet<object>();
  persistence.outgoingUpdate = async (client, packet) => {
    try {
      await update(client, packet);
    } catch (err) {
      if (!(err instanceof Error && err.message === 'no such packet')) throw err;
      delivered.add(packet);
    }
  };
  const forward = broker.authorizeForward.bind(broker);
  broker.authorizeForward = (client, packet) => (delivered.has(packet) ? null : forward(client, packet));
}
