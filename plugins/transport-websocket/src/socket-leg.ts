/**
 * A CallLeg whose far end is a WebSocket client (the voice API or a Twilio-style media stream).
 * The session parses the wire and feeds this leg; the leg hands the engine's output back through
 * a `LegWire`. Bot audio arrives already paced by the engine (one 20 ms frame per tick), so it is
 * sent at once: what the client still buffers is what `clear` drops. A wire that paces itself (a
 * WebRTC peer in a media worker) has a `playoutBufferMs`: the engine then sends ahead, and `clear`
 * says how much it took back.
 */
import { CallLegListeners, type AudioFrame, type CallLeg, type CallLegEvents, type CallNotice, type DtmfDigit, type JsonValue } from '@vapi-cn/sdk-plugin-api';

export interface LegWire {
  audio(frame: AudioFrame): void;
  /** Barge-in: the client drops audio it has not played yet; a pacing wire returns the ms it dropped. */
  clear(): number | void;
  /** The wire paces bot audio itself and takes it up to this far ahead of real time. */
  readonly playoutBufferMs?: number;
  notice?(notice: CallNotice): void;
  /** The engine hung up: tell the client why and close. */
  close(cause: string): void;
}

export class SocketLeg implements CallLeg {
  readonly direction = 'inbound' as const;
  /** A client that hears notices (the voice API) answers client tools with function_result. */
  readonly clientTools: boolean;
  readonly playoutBufferMs?: number;
  private readonly listeners = new CallLegListeners();
  private ended = false;

  constructor(
    readonly id: string,
    readonly inputSampleRate: number,
    readonly outputSampleRate: number,
    private readonly wire: LegWire,
  ) {
    this.clientTools = wire.notice !== undefined;
    if (wire.playoutBufferMs !== undefined) this.playoutBufferMs = wire.playoutBufferMs;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  on<E extends keyof CallLegEvents>(event: E, listener: CallLegEvents[E]): void {
    this.listeners.on(event, listener);
  }

  off<E extends keyof CallLegEvents>(event: E, listener: CallLegEvents[E]): void {
    this.listeners.off(event, listener);
  }

  sendAudio(frame: AudioFrame): void {
    if (!this.ended) this.wire.audio(frame);
  }

  clearAudio(): number {
    if (this.ended) return 0;
    // Where the engine paces, the client holds at most its own jitter buffer, which we cannot see.
    return this.wire.clear() ?? 0;
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
    this.listeners.emit('audio', frame);
  }

  callerText(text: string): void {
    if (this.ended) return;
    this.listeners.emit('text', text);
  }

  callerDtmf(digit: DtmfDigit): void {
    if (this.ended) return;
    this.listeners.emit('dtmf', digit);
  }

  callerFunctionResult(callId: string, result: JsonValue | undefined): void {
    if (this.ended) return;
    this.listeners.emit('functionResult', callId, result);
  }

  /** The client left (stop, close, vanished): the engine hears a hangup, once. */
  farEndGone(cause: string): void {
    if (this.ended) return;
    this.ended = true;
    this.listeners.emit('hangup', cause);
  }
}
