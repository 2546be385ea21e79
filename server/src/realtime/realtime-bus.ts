/** What the console hears about as it happens; each is delivered only to people allowed to see it. */
export type RealtimeEvent =
  | {
      type: 'terminal:state';
      terminalId: string;
      villageCode: string;
      online: boolean;
      status: number;
      volume: number | null;
      playing: unknown;
      at: number;
    }
  | {
      type: 'broadcast:outcome';
      broadcastId: string;
      terminalId: string;
      villageCode: string;
      outcome: number;
      reason: string | null;
      at: number;
    }
  | {
      type: 'alert:outcome';
      alertId: string;
      terminalId: string;
      villageCode: string;
      outcome: number;
      phase: string | null;
      at: number;
    }
  | { type: 'content:changed'; contentId: string; scopeCode: string; state: string; at: number }
  | {
      type: 'audit:appended';
      seq: number;
      action: string;
      outcome: string;
      actorName: string | null;
      target: string | null;
      at: number;
    };

/**
 * In-process fan-out from the services that change things to the realtime server. Emitters are the
 * audit trail and the terminal report ingest, whose work is already committed: a listener's failure is
 * reported, never thrown back at them, and never keeps the other listeners from hearing the event.
 */
export class RealtimeBus {
  private readonly listeners = new Set<(e: RealtimeEvent) => void>();

  constructor(
    private readonly onError: (err: unknown, e: RealtimeEvent) => void = (err, e) =>
      console.error(`[dlb] 实时推送监听器出错（${e.type}）:`, err),
  ) {}

  emit(e: RealtimeEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.onError(err, e);
      }
    }
  }

  on(listener: (e: RealtimeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
