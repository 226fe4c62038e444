/**
 * Messages to another thread, sent as one array per turn of the event loop. A postMessage costs
 * a wake-up of the other thread and a pass through its message port; with a frame per call every
 * 20 ms in each direction, sending them singly cost more than the audio work itself. Order is kept.
 */
import { setImmediate } from 'node:timers';

export class MessageBatch<M> {
  private messages: M[] = [];
  private transfer: ArrayBuffer[] = [];
  private scheduled = false;

  constructor(private readonly send: (messages: M[], transfer: ArrayBuffer[]) => void) {}

  push(message: M, transfer?: readonly ArrayBuffer[]): void {
    this.messages.push(message);
    if (transfer) for (const buffer of transfer) this.transfer.push(buffer);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Sends what is waiting now (also called from the scheduled turn). */
  readonly flush = (): void => {
    this.scheduled = false;
    if (this.messages.length === 0) return;
    const messages = this.messages;
    const transfer = this.transfer;
    this.messages = [];
    this.transfer = [];
    this.send(messages, transfer);
  };
}
