/**
 * A CallLeg whose far end is a WebSocket client (the voice API or a Twilio-style media stream).
 * The session parses the wire and feeds this leg; the leg hands the engine's output back through
 * a `LegWire`. Bot audio arrives already paced by the engine (one 20 ms frame per tick), so it is
 * sent at once: what the client still buffers is what `clear` drops.
 */
import type { AudioFrame, CallLeg, CallLegEvents, CallNotice, DtmfDigit, JsonValue } from '@vapi-cn/sdk-plugin-api';

export interface LegWire {
  audio(frame: AudioFrame): void;
  /** Barge-in: the client drops audio it has not played yet. */
  clear(): void;
  notice?(notice: CallNotice): void;
  /** The engine hung up: tell the client why and close. */
  close(cause: string): void;
}

type Listeners = { [E in keyof CallLegEvents]: Set<CallLegEvents[E]> };

export class SocketLeg implements CallLeg {
  readonly direction = 'inbound' as const;
  /** A client that hears notices (the voice API) answers client tools with function_result. */
  readonly clientTools: boolean;
  private readonly listeners: Listeners = { audio: new Set(), dtmf: new Set(), text: new Set(), hangup: new Set(), functionResult: new Set() };
  private ended = false;

  constructor(
    readonly id: string,
    readonly inputSampleRate: number,
    readonly outputSampleRate: number,
    private readonly wire: LegWire,
  ) {
    this.clientTools = wire.notice !== undefined;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  on<E extends keyof CallLegEvents>(event: E, listener: CallLegEvents[E]): void {
    (this.listeners[event] as Set<CallLegEvents[E]>).add(listener);
  }

  off<E extends keyof CallLegEvents>(event: E, listener: CallLegEvents[E]): void {
    (this.listeners[event] as Set<CallLegEvents[E]>).delete(listener);
  }

  sendAudio(frame: AudioFrame): void {
    if (!this.ended) this.wire.audio(frame);
  }

  clearAudio(): number {
    if (!this.ended) this.wire.clear();
    // The engine paces, so the client holds at most its own jitter buffer, which we cannot see.
    return 0;
  }

  notify(notice: CallNotice): void {
    if (!this.ended) this.wire.notice?.(notice);
  }

  async hangup(cause = 'hangup'): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.wire.close(cause);
  }

  // ---- from the session (the client's side) ----

  callerAudio(frame: AudioFrame): void {
    if (this.ended) return;
    for (const listener of this.listeners.audio) listener(frame);
  }

  callerText(text: string): void {
    if (this.ended) return;
    for (const listener of this.listeners.text) listener(text);
  }

  callerDtmf(digit: DtmfDigit): void {
    if (this.ended) return;
    for (const listener of this.listeners.dtmf) listener(digit);
  }

  callerFunctionResult(callId: string, result: JsonValue | undefined): void {
    if (this.ended) return;
    for (const listener of this.listeners.functionResult) listener(callId, result);
  }

  /** The client left (stop, close, vanished): the engine hears a hangup, once. */
  farEndGone(cause: string): void {
    if (this.ended) return;
    this.ended = true;
    for (const listener of this.listeners.hangup) listener(cause);
  }
}
