/** The listener bookkeeping every CallLeg needs: on/off per event, and emit from the transport. */
import type { CallLegEvents } from './transport.js';

type Listener = (...args: never[]) => void;

export class CallLegListeners {
  private readonly byEvent = new Map<keyof CallLegEvents, Set<Listener>>();

  on<E extends keyof CallLegEvents>(event: E, listener: CallLegEvents[E]): void {
    let set = this.byEvent.get(event);
    if (!set) this.byEvent.set(event, (set = new Set()));
    set.add(listener as Listener);
  }

  off<E extends keyof CallLegEvents>(event: E, listener: CallLegEvents[E]): void {
    this.byEvent.get(event)?.delete(listener as Listener);
  }

  emit<E extends keyof CallLegEvents>(event: E, ...args: Parameters<CallLegEvents[E]>): void {
    const set = this.byEvent.get(event);
    if (!set) return;
    for (const listener of set) (listener as unknown as (...a: Parameters<CallLegEvents[E]>) => void)(...args);
  }
}
