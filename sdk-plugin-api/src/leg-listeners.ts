/** The listener bookkeeping every CallLeg needs: on/off per event, and emit from the transport. */
import type { CallLegEvents } from './transport.js';

type Listener = (first: never, second: never) => void;
type Arg<E extends keyof CallLegEvents, I extends 0 | 1> = Parameters<CallLegEvents[E]>[I];

export class CallLegListeners {
  private readonly byEvent = new Map<keyof CallLegEvents, Set<Listener>>();

  on<E extends keyof CallLegEvents>(event: E, listener: CallLegEvents[E]): void {
    let set = this.byEvent.get(event);
    if (!set) this.byEvent.set(event, (set = new Set()));
    set.add(listener as unknown as Listener);
  }

  off<E extends keyof CallLegEvents>(event: E, listener: CallLegEvents[E]): void {
    this.byEvent.get(event)?.delete(listener as unknown as Listener);
  }

  /** Calls every listener of `event`. Fixed parameters, not rest ones: it runs per audio frame, and a rest array would be one allocation each time. */
  emit<E extends keyof CallLegEvents>(event: E, first: Arg<E, 0>, second?: Arg<E, 1>): void {
    const set = this.byEvent.get(event);
    if (!set) return;
    for (const listener of set) (listener as unknown as (a: Arg<E, 0>, b: Arg<E, 1> | undefined) => void)(first, second);
  }
}
