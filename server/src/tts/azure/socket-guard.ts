import { AsyncLocalStorage } from 'node:async_hooks';
import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import type { Socket } from 'node:net';

/**
 * The Speech SDK cannot be stopped while its WebSocket handshake hangs: SpeechSynthesizer.close() waits for the
 * connection it is opening, forever if the server accepted TCP and never answers (measured with SDK 1.52.0),
 * and there is no handshake timeout. So the provider owns the sockets itself: every HTTP client request started
 * inside `run()` (the SDK opens its WebSocket with `ws`, which uses http.request) is recorded through Node's
 * diagnostics channel, with the AsyncLocalStorage context telling which synthesis it belongs to; `destroy()`
 * then ends them, the SDK sees the connection fail, and close() can finish.
 */

type Tracked = Pick<Socket, 'destroy' | 'destroyed'> | Pick<ClientRequest, 'destroy' | 'destroyed'>;

const current = new AsyncLocalStorage<SocketGuard>();
let subscribed = false;

function onRequestStart(message: unknown): void {
  const guard = current.getStore();
  const request = (message as { request?: ClientRequest }).request;
  if (!guard || !request) return;
  guard.track(request);
  if (request.socket) guard.track(request.socket);
  request.once('socket', (socket) => guard.track(socket));
}

export class SocketGuard {
  private readonly open = new Set<Tracked>();
  private destroyed = false;

  /** Runs `fn` so that every HTTP request it starts, however deep in promise chains, is tracked here. */
  run<T>(fn: () => T): T {
    if (!subscribed) {
      diagnostics.subscribe('http.client.request.start', onRequestStart);
      subscribed = true;
    }
    return current.run(this, fn);
  }

  track(t: Tracked): void {
    if (this.destroyed) t.destroy();
    else this.open.add(t);
  }

  /** How many sockets and requests were seen (for tests). */
  get size(): number {
    return this.open.size;
  }

  /** Ends every tracked socket and request, now and any that start later. */
  destroy(): void {
    this.destroyed = true;
    for (const t of this.open) if (!t.destroyed) t.destroy();
    this.open.clear();
  }
}
