/**
 * One call's conversation: caller audio → VAD → STT → endpointing → LLM (streamed) → sentences →
 * TTS (streamed) → BotVoice → the leg, with barge-in, idle prompts, a maximum duration and
 * end-call phrases; the caller's keypad (DTMF) is a turn for the model or runs a menu. Providers
 * are looked up by name at every turn from the latest assistant settings, so an operator's change
 * applies from the next turn. A provider that fails is recorded, the caller hears the fallback
 * line, and the call ends cleanly.
 */
import {
  SPEECH_GATE_DEFAULTS,
  VapiError,
  isVapiError,
  audioFrame,
  type AudioMixer,
  type AudioFrame,
  type AudioStage,
  type CallNotice,
  type AudioPacerFactory,
  type CallLeg,
  type CallScope,
  type Clock,
  type DtmfDigit,
  type LlmProvider,
  type Logger,
  type MixerFactory,
  type Registry,
  type ResamplerFactory,
  type SttProvider,
  type SttStream,
  type TimerHandle,
  type ToolCall,
  type ToolDefinition,
  type TtsProvider,
  type VadEvent,
  type VadFactory,
} from '@vapi-cn/sdk-plugin-api';
import { fillVariables, toolName, type AssistantSettings, type DtmfMenuAction, type ServerEventType } from '../conversation/assistant-settings.js';
import { History } from '../conversation/history.js';
import { ServerEvents } from '../conversation/server-events.js';
import { BotVoice } from './bot-voice.js';
import { CallerAudio } from './caller-audio.js';
import { ClientToolCalls, type ClientAnswer } from './client-tool-calls.js';
import { DtmfCollector } from './dtmf-collector.js';
import { sendDtmfKeys } from './dtmf-sender.js';
import { endpointingWait } from './endpointing.js';
import { chooseListenRate, sttStreamRate } from './listen-rate.js';
import { SentenceSegmenter } from './sentence-segmenter.js';
import { TurnMetrics, type TurnLatency } from './turn-metrics.js';

/** What a tool call did: a result for the LLM, and optionally the end of the call or a transfer. */
export interface ToolOutcome {
  result: string;
  endCall?: boolean;
  transferTo?: string;
  /** Hand the call to this assistant (the `handoff` tool). */
  handoffTo?: string;
  /** What the model told the next assistant. */
  summary?: string;
}

/** What a tool may do on the call's leg; the session gives it to every run. */
export interface ToolContext {
  /**
   * Asks the leg's client to run a client tool (a `function-call` notice with `awaitsResult`) and
   * waits for its answer; absent when the leg cannot carry client tools.
   */
  askClient?(call: ToolCall, timeoutMs: number, signal: AbortSignal): Promise<ClientAnswer>;
  /** Presses keys (validated) once the bot's words before them are out; absent when the leg cannot send DTMF. */
  sendDtmf?(digits: string, signal: AbortSignal): Promise<void>;
}

export interface ToolRunner {
  definitions(settings: AssistantSettings): ToolDefinition[];
  run(call: ToolCall, signal: AbortSignal, context?: ToolContext): Promise<ToolOutcome>;
}

export interface CallSessionDeps {
  leg: CallLeg;
  call: CallScope;
  clock: Clock;
  /**
   * The current settings of an assistant: the call's own (undefined) or the one a handoff passed
   * the call to. Called at the start of every turn.
   */
  settings(assistantId?: string): Promise<AssistantSettings>;
  variables?: Record<string, string>;
  providers: { stt: Registry<SttProvider>; llm: Registry<LlmProvider>; tts: Registry<TtsProvider> };
  stages: { vads: Registry<VadFactory>; resamplers: Registry<ResamplerFactory>; pacers: Registry<AudioPacerFactory>; mixers?: Registry<MixerFactory> };
  metrics: TurnMetrics;
  tools?: ToolRunner;
  /** Rate the VAD and STT listen at; default: the leg's rate if they take it, else 16 kHz. */
  listenRate?: number;
}

type Phase = 'listening' | 'responding' | 'ended';

interface SttHandle {
  stream: SttStream;
  /** Settles when the stream has delivered its last result. */
  done: Promise<void>;
  /** end() was called: the caller stopped speaking. */
  ending: boolean;
  /** The latest interim hypothesis, for barge-in words before the final. */
  interim: string;
  /** When the provider does not take the listening rate: listening rate → its rate. */
  resampler?: AudioStage;
}

/** An STT stream that does not finish within this after end() is taken as final with what it said. */
const STT_FINAL_TIMEOUT_MS = 3000;

const MAX_TOOL_ROUNDS = 3;

/** How long the end of a call waits for its last server events (the end-of-call report). */
const SERVER_EVENTS_FLUSH_MS = 10_000;

/** What the model hears for the caller's keys (`[DTMF] 1234`): marked, so no one takes it for speech. */
function dtmfTurnText(digits: string): string {
  return `[DTMF] ${digits}`;
}

/** Call events that also go to the assistant's server, and under which name. */
const SERVER_EVENT_OF: Partial<Record<string, ServerEventType>> = { transcript: 'transcript', 'tool-call': 'tool-calls', 'end-of-call-report': 'end-of-call-report' };

export class CallSession {
  private readonly log: Logger;
  private history: History;
  private readonly events: ServerEvents;
  /** The assistant a handoff passed the call to; undefined: the call's own. */
  private assistantId: string | undefined;
  private handoffs = 0;
  private handoffSummary = '';
  private readonly voice: BotVoice;
  private readonly caller: CallerAudio;
  private readonly listenRate: number;
  private readonly resamplers: ResamplerFactory;
  private settings: AssistantSettings;
  private phase: Phase = 'listening';
  private response: AbortController | undefined;
  private stt: SttHandle | undefined;
  private transcript = '';
  private speechEndedAt: number | undefined;
  private endpointTimer: TimerHandle | undefined;
  private idleTimer: TimerHandle | undefined;
  private durationTimer: TimerHandle | undefined;
  private idlePromptsSaid = 0;
  private bargeIn: { paused: boolean; pauseTimer: TimerHandle | undefined } | undefined;
  private turn: TurnLatency | undefined;
  private endReason: string | undefined;
  private readonly clientCalls: ClientToolCalls;
  private readonly toolContext: ToolContext;
  private readonly keys: DtmfCollector;
  /** Keys entered while the bot spoke with barge-in off: handled once its turn is over. */
  private heldKeys: string | undefined;
  private resolveEnded!: (reason: string) => void;
  /** Resolves with the end reason once the call has ended and its record is written. */
  readonly ended: Promise<string> = new Promise((resolve) => (this.resolveEnded = resolve));

  private constructor(private readonly deps: CallSessionDeps, settings: AssistantSettings) {
    this.settings = settings;
    this.log = deps.call.log;
    this.clientCalls = new ClientToolCalls(deps.clock);
    this.keys = new DtmfCollector(deps.clock, (digits) => this.onKeys(digits));
    const { leg } = deps;
    this.toolContext = {
      ...(leg.clientTools && leg.notify ? { askClient: (call: ToolCall, timeoutMs: number, signal: AbortSignal) => this.askClient(call, timeoutMs, signal) } : {}),
      ...(leg.sendDtmf ? { sendDtmf: (digits: string, signal: AbortSignal) => this.pressKeys(digits, signal) } : {}),
    };
    this.history = new History(settings.maxHistoryMessages);
    this.events = new ServerEvents({
      callId: deps.call.id,
      target: () => ({ assistantId: this.assistantId ?? deps.call.record?.assistantId ?? null, server: this.settings.server }),
      clock: deps.clock,
      log: this.log,
      onFailure: (error, event) => void this.record('error', { code: error.code, category: error.category, message: error.message, serverEvent: event.type }),
    });
    const vadFactory = required(deps.stages.vads, settings.vad.provider, 'VAD', `stage-vad-${settings.vad.provider}`);
    this.listenRate = deps.listenRate ?? chooseListenRate(deps.leg.inputSampleRate, vadFactory, deps.providers.stt.get(settings.stt.provider));
    const resamplers = (this.resamplers = required(deps.stages.resamplers, 'speex', 'resampler', 'stage-resample-speex'));
    const mixerFactory = deps.stages.mixers?.get('default');
    const mixer: AudioMixer | undefined = mixerFactory?.create({ sampleRate: deps.leg.outputSampleRate });
    this.voice = new BotVoice({
      leg: deps.leg,
      pacers: required(deps.stages.pacers, 'default', 'pacer', 'stage-pacer'),
      resamplers,
      clock: deps.clock,
      ...(mixer && mixer.sourceIds.length > 0 ? { mixer } : {}),
    });
    const { provider: _provider, ...vadOptions } = settings.vad;
    this.caller = new CallerAudio({
      inputRate: deps.leg.inputSampleRate,
      listenRate: this.listenRate,
      resamplers,
      vad: vadFactory.create({ ...vadOptions, sampleRate: this.listenRate }),
      onSpeech: (event, at) => this.onSpeech(event, at),
      onAudio: (frame) => {
        if (this.stt?.stream && !this.stt.ending) this.writeStt(this.stt, frame);
      },
      onBadFrame: (error) => {
        if (this.caller.badFrames === 1) this.log.warn({ err: error }, 'dropping malformed caller audio');
      },
    });
  }

  // A getter, not `phase === 'ended'`: the phase changes across awaits, which narrowing ignores.
  private get isEnded(): boolean {
    return this.endReason !== undefined;
  }

  /** Wires a leg to an assistant and starts the conversation (first message or listening). */
  static async start(deps: CallSessionDeps): Promise<CallSession> {
    const session = new CallSession(deps, await deps.settings());
    session.attach();
    return session;
  }

  /** Ends the call: stops everything, hangs up the leg, writes the record. Idempotent. */
  async end(reason: string): Promise<void> {
    if (!(await this.stop(reason))) return;
    await this.deps.call.end(reason);
    this.resolveEnded(reason);
  }

  /**
   * Stops the conversation and reports it; false when it was already stopping. Also runs when
   * the call is ended from outside (server shutdown), where the call scope itself is ending.
   */
  private async stop(reason: string): Promise<boolean> {
    if (this.endReason !== undefined) return false;
    this.endReason = reason;
    this.phase = 'ended';
    // Recorded before the report: the client's tools that were still running are part of the record.
    for (const { callId, name } of this.clientCalls.cancelAll()) {
      void this.record('error', {
        code: 'VAPI_ERR_TOOL_CLIENT_CANCELLED',
        category: 'connectivity',
        message: `the call ended (${reason}) while tool '${name}' waited for the client's result`,
        tool: name,
        callId,
      });
    }
    this.keys.close();
    this.response?.abort();
    for (const timer of [this.endpointTimer, this.idleTimer, this.durationTimer, this.bargeIn?.pauseTimer]) if (timer) this.deps.clock.clearTimeout(timer);
    await this.stt?.stream?.close().catch(() => {});
    this.caller.close();
    this.voice.close();
    // Before the hangup: the client hears why the call ended while its connection is still open.
    this.notify({ type: 'status', status: 'ended', reason });
    await this.deps.leg.hangup(reason).catch((error: unknown) => this.log.warn({ err: error }, 'hangup failed'));
    this.events.send('status-update', { status: 'ended', reason });
    await this.record('end-of-call-report', { reason, transcript: this.history.transcript(), turns: this.deps.metrics.turns });
    // Before the record closes: the report is the event the assistant's server needs most.
    await this.events.flush(SERVER_EVENTS_FLUSH_MS);
    return true;
  }

  private attach(): void {
    const { leg, clock } = this.deps;
    leg.on('audio', (frame) => this.caller.push(frame));
    leg.on('hangup', (cause) => void this.end(cause === 'NORMAL_CLEARING' ? 'caller-hangup' : cause));
    leg.on('text', (text) => void this.userSaid(text));
    leg.on('dtmf', (digit) => this.onDtmf(digit));
    // Only legs that carry client tools emit results (and others need not know the event).
    if (leg.clientTools) leg.on('functionResult', (callId, result) => this.onFunctionResult(callId, result));
    this.deps.call.onEnd(async (reason) => {
      if (await this.stop(reason)) this.resolveEnded(reason);
    });
    void this.deps.call.answered();
    this.events.send('status-update', { status: 'in-progress' });
    this.notify({ type: 'status', status: 'in-progress' });
    this.durationTimer = clock.setTimeout(() => void this.end('max-duration'), this.settings.turn.maxDurationMs);
    const first = fillVariables(this.settings.firstMessage, this.variables());
    if (this.settings.firstMessageMode === 'assistant-first' && first) void this.speak(first);
    else {
      this.notify({ type: 'status', status: 'listening' });
      this.armIdleTimer();
    }
  }

  // ---- caller side ---------------------------------------------------------------------------

  private onSpeech(event: VadEvent, _at: number): void {
    if (this.isEnded) return;
    if (event === 'speech-start') {
      this.disarm('idleTimer');
      this.disarm('endpointTimer');
      this.speechEndedAt = undefined;
      if (this.phase === 'responding' && this.settings.bargeIn.enabled && !this.bargeIn) this.beginBargeIn();
      // A caller who paused and goes on gets a fresh stream; the earlier one still delivers its final.
      if (!this.stt || this.stt.ending) void this.openStt();
      return;
    }
    // The VAD reports the end only after its hold of silence: the caller stopped that long ago.
    const endedAt = (this.speechEndedAt = this.deps.clock.monotonic() - (this.settings.vad.minSilenceMs ?? SPEECH_GATE_DEFAULTS.minSilenceMs));
    const stt = this.stt;
    if (stt) {
      stt.ending = true;
      stt.stream.end();
    }
    // Too short to have paused the bot (a cough, a click): nothing to undo.
    if (this.bargeIn && !this.bargeIn.paused) this.cancelBargeIn();
    // Read the assistant while endpointing waits anyway: the store is off the reply's path.
    this.prefetchedSettings = this.deps.settings(this.assistantId);
    this.prefetchedSettings.catch(() => {}); // a failure surfaces when respond() awaits it
    void this.endpoint(stt, endedAt);
  }

  /**
   * Waits for the final transcript of the speech that just ended, then for the endpointing wait
   * (measured from the end of speech) that the transcript calls for, then takes the turn.
   */
  private async endpoint(stt: SttHandle | undefined, endedAt: number): Promise<void> {
    if (stt) await Promise.race([stt.done, this.deps.clock.sleep(STT_FINAL_TIMEOUT_MS)]);
    if (this.isEnded || this.caller.speaking || this.speechEndedAt !== endedAt) return;
    const wait = endpointingWait(this.transcript, { waitMs: this.settings.turn.endpointingMs, unfinishedWaitMs: this.settings.turn.unfinishedEndpointingMs });
    const remaining = Math.max(0, endedAt + wait - this.deps.clock.monotonic());
    this.disarm('endpointTimer');
    this.endpointTimer = this.deps.clock.setTimeout(() => {
      this.endpointTimer = undefined;
      if (this.speechEndedAt === endedAt) void this.finishCallerTurn(wait);
    }, remaining);
  }

  private async openStt(): Promise<void> {
    const provider = this.deps.providers.stt.get(this.settings.stt.provider);
    if (!provider) return this.fail(missingProvider('STT', this.settings.stt.provider));
    const { provider: _name, ...options } = this.settings.stt;
    const handle: SttHandle = { stream: undefined as unknown as SttStream, done: Promise.resolve(), ending: false, interim: '' };
    this.stt = handle;
    const rate = sttStreamRate(this.listenRate, provider);
    try {
      handle.stream = await provider.stream({ ...options, sampleRate: rate, signal: this.deps.call.signal });
      if (rate !== this.listenRate) handle.resampler = this.resamplers.create({ inputRate: this.listenRate, outputRate: rate });
    } catch (error) {
      void handle.stream?.close();
      return this.fail(error);
    }
    if (this.isEnded) {
      handle.resampler?.close();
      return void handle.stream.close();
    }
    // The VAD confirmed speech after its minimum; the ring holds the onset.
    for (const samples of this.caller.preRoll()) this.writeStt(handle, audioFrame(samples, this.listenRate));
    if (handle.ending) handle.stream.end();
    handle.done = (async () => {
      for await (const result of handle.stream) {
        const text = result.text.trim();
        if (!result.isFinal) {
          handle.interim = text;
          if (text) this.notify({ type: 'transcript', role: 'user', text, isFinal: false });
        } else if (text) {
          handle.interim = '';
          this.notify({ type: 'transcript', role: 'user', text, isFinal: true });
          this.transcript = `${this.transcript} ${text}`.trim();
          if (this.speechEndedAt !== undefined && this.pendingSttFinalMs === undefined) this.pendingSttFinalMs = this.deps.clock.monotonic() - this.speechEndedAt;
        }
        if (this.bargeIn) this.maybeConfirmBargeIn(`${this.transcript} ${handle.interim}`);
      }
    })()
      .catch((error: unknown) => this.fail(error))
      .finally(() => {
        handle.resampler?.close();
        handle.resampler = undefined;
      });
  }

  /** Caller audio to an STT stream, at the rate the stream was opened with. */
  private writeStt(handle: SttHandle, frame: AudioFrame): void {
    if (!handle.resampler) return handle.stream.write(frame);
    const resampled = handle.resampler.process(frame);
    if (resampled) handle.stream.write(resampled);
  }

  private pendingSttFinalMs: number | undefined;
  /** The assistant's settings, read at the caller's speech-end for the turn that follows. */
  private prefetchedSettings: Promise<AssistantSettings> | undefined;

  private async finishCallerTurn(endpointingMs: number): Promise<void> {
    if (this.caller.speaking || this.isEnded) return;
    void this.stt?.stream?.close();
    this.stt = undefined;
    const text = this.transcript;
    this.transcript = '';
    if (!text || this.isFiller(text)) {
      this.pendingSttFinalMs = undefined;
      if (this.bargeIn) this.resumeAfterFalseBargeIn(text ? `filler "${text}"` : 'no words');
      else if (this.phase === 'listening') this.armIdleTimer();
      return;
    }
    if (this.bargeIn) this.confirmBargeIn();
    const turn = this.deps.metrics.begin();
    if (this.pendingSttFinalMs !== undefined) this.deps.metrics.observe(turn, 'sttFinalMs', this.pendingSttFinalMs);
    this.pendingSttFinalMs = undefined;
    turn.endpointingMs = endpointingMs;
    await this.userSaid(text, turn);
  }

  private async userSaid(text: string, turn: TurnLatency = this.deps.metrics.begin()): Promise<void> {
    if (this.isEnded) return;
    this.history.addUser(text);
    void this.record('transcript', { role: 'user', text });
    await this.respond(turn);
  }

  private words(text: string): string[] {
    // CJK has no spaces: each character counts as a word.
    return text.toLowerCase().replace(/[.,!?。，！？、]/g, ' ').split(/\s+/).filter(Boolean);
  }

  private isFiller(text: string): boolean {
    const words = this.words(text);
    return words.length > 0 && words.every((w) => this.settings.bargeIn.ignoreWords.includes(w));
  }

  // ---- barge-in ------------------------------------------------------------------------------
  // Caller speech while the bot talks: after bargeIn.minSpeechMs of it the bot's audio stops on
  // the wire (paused, not dropped); words that are not fillers confirm the interruption (the
  // queued audio is dropped and the reply aborted); speech that turns out to be noise or a filler
  // resumes playback where it stopped.

  private beginBargeIn(): void {
    const detectedAt = this.deps.clock.monotonic();
    const turn = this.turn;
    const pauseTimer = this.deps.clock.setTimeout(() => {
      const bargeIn = this.bargeIn;
      if (!bargeIn) return;
      bargeIn.pauseTimer = undefined;
      if (!this.caller.speaking) return this.cancelBargeIn();
      this.voice.pause();
      bargeIn.paused = true;
      // Timers may fire a fraction of a millisecond early: never report a negative stop time.
      if (turn) this.deps.metrics.observe(turn, 'bargeInStopMs', Math.max(0, this.deps.clock.monotonic() - detectedAt - this.settings.bargeIn.minSpeechMs));
      this.maybeConfirmBargeIn(`${this.transcript} ${this.stt?.interim ?? ''}`);
    }, this.settings.bargeIn.minSpeechMs);
    this.bargeIn = { paused: false, pauseTimer };
  }

  /** Interrupts once the bot is paused and the caller said enough words that are not fillers. */
  private maybeConfirmBargeIn(heard: string): void {
    if (!this.bargeIn?.paused) return;
    const words = this.words(heard).filter((w) => !this.settings.bargeIn.ignoreWords.includes(w));
    if (words.length >= Math.max(1, this.settings.bargeIn.minWords)) this.confirmBargeIn();
  }

  private confirmBargeIn(): void {
    if (!this.bargeIn) return;
    this.interruptBot('speech');
  }

  /** Stops the bot's turn: the reply is aborted, unplayed audio dropped, the history cut to what was heard. */
  private interruptBot(by: 'speech' | 'dtmf'): void {
    this.cancelBargeIn();
    this.response?.abort();
    const cut = this.voice.interrupt();
    // A reply still streaming is not in the history yet (streamReply cuts it itself); the last message there is an earlier turn's.
    if (this.replyInHistory) this.history.truncateLastAssistant(cut.heardText);
    this.phase = 'listening';
    void this.record('barge-in', { heardText: cut.heardText, playedMs: cut.playedMs, droppedMs: cut.droppedMs, ...(by === 'dtmf' ? { by } : {}) });
    // The client's record of the bot's turn is what the caller heard of it.
    this.notify({ type: 'response', text: cut.heardText, isFinal: true });
    this.notifyLatency();
    this.notify({ type: 'status', status: 'listening' });
  }

  private resumeAfterFalseBargeIn(why: string): void {
    if (!this.bargeIn) return;
    const paused = this.bargeIn.paused;
    this.cancelBargeIn();
    if (!paused) return;
    this.voice.resume();
    void this.record('false-interruption', { why });
  }

  private cancelBargeIn(): void {
    if (this.bargeIn?.pauseTimer) this.deps.clock.clearTimeout(this.bargeIn.pauseTimer);
    this.bargeIn = undefined;
  }

  // ---- the caller's keypad -------------------------------------------------------------------
  // Every key is recorded. Unless DTMF is ignored, keys gather into an input (DtmfCollector); a
  // key while the bot talks interrupts it when barge-in is on, as confirmed speech does. `model`
  // mode gives the input to the model as the caller's turn; `menu` mode runs the option it
  // chooses, without the model.

  private onDtmf(digit: DtmfDigit): void {
    void this.record('dtmf', { digit });
    const dtmf = this.settings.dtmf;
    if (this.isEnded || this.failing || dtmf.mode === 'ignore') return;
    this.disarm('idleTimer');
    if (this.phase === 'responding' && this.settings.bargeIn.enabled) this.interruptBot('dtmf');
    const choices = dtmf.mode === 'menu' ? dtmf.menu?.options.map((option) => option.digits) : undefined;
    this.keys.push(digit, { terminator: dtmf.terminator, maxDigits: dtmf.maxDigits, interDigitTimeoutMs: dtmf.interDigitTimeoutMs, ...(choices ? { choices } : {}) });
  }

  /** A complete input. With barge-in off the bot finishes its turn first (afterBotTurn takes it). */
  private onKeys(digits: string): void {
    if (this.isEnded) return;
    if (this.phase === 'responding') {
      this.heldKeys = digits;
      return;
    }
    void this.handleKeys(digits);
  }

  private async handleKeys(digits: string): Promise<void> {
    const { mode, menu } = this.settings.dtmf;
    if (mode === 'model') {
      void this.record('dtmf-input', { digits, mode });
      return this.userSaid(dtmfTurnText(digits));
    }
    // The assistant changed to `ignore` while the keys were held.
    if (mode !== 'menu' || !menu) return this.armIdleTimer();
    const option = menu.options.find((candidate) => candidate.digits === digits);
    void this.record('dtmf-input', { digits, mode, action: option?.action.type ?? 'invalid' });
    if (!option) return void (await this.speak(menu.invalid));
    await this.runMenuAction(option.action, digits, menu.invalid);
  }

  /** A menu option's action, through the same call control as the model's tools. */
  private async runMenuAction(action: DtmfMenuAction, digits: string, invalid: string): Promise<void> {
    switch (action.type) {
      case 'say':
        return void (await this.speak(action.text));
      case 'model':
        return this.userSaid(action.text.replace(/\{\{\s*digits\s*\}\}/g, digits));
      case 'endCall':
        if (action.text && !(await this.speak(action.text))) return;
        return void (await this.transferOrEnd({ endCall: true }));
      case 'transfer':
        if (!this.deps.leg.transfer) return this.menuActionFailed(`the menu option '${digits}' transfers the call, and this call's transport cannot transfer`, invalid);
        if (action.text && !(await this.speak(action.text))) return;
        return void (await this.transferOrEnd({ transferTo: action.destination }));
      case 'handoff': {
        const next = await this.handoffTarget(action.assistantId);
        if (!next) return this.menuActionFailed(`the menu option '${digits}' hands the call to '${action.assistantId}', which is not available (or squad.maxHandoffs is reached)`, invalid);
        if (action.text && !(await this.speak(action.text))) return;
        if (this.isEnded) return;
        await this.handOff(action.assistantId, next, `The caller chose option ${digits} in the keypad menu.`);
        // The caller just chose this assistant: it greets with its first message, if it has one.
        const first = fillVariables(next.firstMessage, this.variables());
        if (first) return void (await this.speak(first));
        return this.armIdleTimer();
      }
    }
  }

  /** A menu option that cannot run on this call: recorded, and the caller hears the menu's invalid line. */
  private async menuActionFailed(message: string, invalid: string): Promise<void> {
    this.log.warn({ message }, 'a DTMF menu option could not run');
    void this.record('error', {
      code: 'VAPI_ERR_DTMF_MENU_ACTION',
      category: 'invalid_request',
      message,
      fix: "correct the assistant's dtmf.menu: a transfer needs a telephone transport that transfers, a handoff an existing assistant within squad.maxHandoffs",
    });
    await this.speak(invalid);
  }

  // ---- bot side ------------------------------------------------------------------------------

  private async respond(turn: TurnLatency): Promise<void> {
    this.disarm('idleTimer');
    this.idlePromptsSaid = 0;
    this.response?.abort();
    const response = (this.response = new AbortController());
    this.replyInHistory = false;
    this.phase = 'responding';
    this.turn = turn;
    this.notify({ type: 'status', status: 'speaking' });
    try {
      const prefetched = this.prefetchedSettings;
      this.prefetchedSettings = undefined;
      this.settings = await (prefetched ?? this.deps.settings(this.assistantId));
      this.history.setLimit(this.settings.maxHistoryMessages);
      this.startBotTurn(turn);
      for (let round = 0; round < MAX_TOOL_ROUNDS; round++) {
        // Per round: a handoff can change the assistant, and its LLM, between rounds.
        const llm = this.deps.providers.llm.get(this.settings.llm.provider);
        if (!llm) throw missingProvider('LLM', this.settings.llm.provider);
        const calls = await this.streamReply(llm, turn, response.signal);
        if (calls.length === 0 || response.signal.aborted) break;
        const stop = await this.runTools(calls, turn, response.signal);
        if (stop) return;
      }
      await this.voice.drained();
      if (response.signal.aborted || this.isEnded) return;
      this.afterBotTurn();
    } catch (error) {
      if (response.signal.aborted || this.isEnded) return;
      await this.fail(error);
    }
  }

  private startBotTurn(turn: TurnLatency): void {
    this.voice.startTurn((at) => {
      if (this.speechEndedAt !== undefined) this.deps.metrics.observe(turn, 'voiceToVoiceMs', at - this.speechEndedAt);
    });
  }

  /** One LLM round: text is spoken sentence by sentence as it streams; returns its tool calls. */
  private async streamReply(llm: LlmProvider, turn: TurnLatency, signal: AbortSignal): Promise<ToolCall[]> {
    const settings = this.settings;
    const segmenter = new SentenceSegmenter();
    const sentences: string[] = [];
    let wake: (() => void) | undefined;
    let finished = false;
    const speaker = this.speakSentences(sentences, () => finished, (w) => (wake = w), turn, signal);
    const push = (chunks: string[]) => {
      sentences.push(...chunks);
      wake?.();
    };
    let text = '';
    const calls: ToolCall[] = [];
    const requestedAt = this.deps.clock.monotonic();
    try {
      for await (const event of llm.chat({
        messages: this.history.forRequest(fillVariables(settings.systemPrompt, this.variables()) + this.handoffSummary),
        ...(this.deps.tools ? { tools: this.deps.tools.definitions(settings) } : {}),
        ...(settings.llm.model ? { model: settings.llm.model } : {}),
        ...(settings.llm.temperature !== undefined ? { temperature: settings.llm.temperature } : {}),
        ...(settings.llm.maxTokens !== undefined ? { maxTokens: settings.llm.maxTokens } : {}),
        extra: { ...(settings.llm.extra ?? {}), variables: this.variables() },
        signal,
      })) {
        if (signal.aborted) break;
        if (event.type === 'text-delta') {
          this.deps.metrics.observe(turn, 'llmFirstTokenMs', this.deps.clock.monotonic() - requestedAt);
          text += event.text;
          push(segmenter.push(event.text));
        } else if (event.type === 'tool-call') {
          calls.push(event.call);
        }
      }
      const rest = segmenter.flush();
      if (rest) push([rest]);
    } finally {
      finished = true;
      wake?.();
      await speaker;
    }
    if (signal.aborted) {
      // What was heard is recorded by the barge-in; keep the full text otherwise unheard.
      this.history.addAssistant(text, calls);
      this.history.truncateLastAssistant(this.voice.playedMs === 0 ? '' : text);
      return [];
    }
    this.history.addAssistant(text, calls);
    this.replyInHistory = true;
    if (text) {
      void this.record('transcript', { role: 'assistant', text });
      this.notify({ type: 'response', text, isFinal: true });
    }
    return calls;
  }

  /** Synthesizes queued sentences one after another, each as soon as the previous one is queued. */
  private async speakSentences(
    sentences: string[],
    finished: () => boolean,
    onWake: (wake: () => void) => void,
    turn: TurnLatency,
    signal: AbortSignal,
  ): Promise<void> {
    const settings = this.settings;
    const tts = this.deps.providers.tts.get(settings.tts.provider);
    for (;;) {
      if (signal.aborted) return;
      const sentence = sentences.shift();
      if (sentence === undefined) {
        if (finished()) return;
        await new Promise<void>((resolve) => onWake(resolve));
        continue;
      }
      if (!tts) throw missingProvider('TTS', settings.tts.provider);
      const { provider: _name, ...options } = settings.tts;
      this.notify({ type: 'response', text: sentence, isFinal: false });
      const requestedAt = this.deps.clock.monotonic();
      const audio = tts.synthesize(sentence, { ...options, sampleRate: pickRate(tts, this.deps.leg.outputSampleRate), signal });
      await this.voice.say(sentence, audio, signal, () => this.deps.metrics.observe(turn, 'ttsFirstAudioMs', this.deps.clock.monotonic() - requestedAt));
      this.endCallIfPhrase(sentence);
    }
  }

  private endCallAfterSpeaking = false;
  /** The current bot turn's message is in the history (a barge-in may cut it there). */
  private replyInHistory = false;

  private endCallIfPhrase(sentence: string): void {
    const lower = sentence.toLowerCase();
    if (this.settings.turn.endCallPhrases.some((phrase) => phrase && lower.includes(phrase.toLowerCase()))) this.endCallAfterSpeaking = true;
  }

  private async runTools(calls: ToolCall[], turn: TurnLatency, signal: AbortSignal): Promise<boolean> {
    for (const call of calls) {
      let outcome: ToolOutcome;
      const tool = this.settings.tools.find((t) => toolName(t) === call.name);
      const waitingLine = tool?.type === 'function' || tool?.type === 'client' ? tool.speakWhileWaiting : undefined;
      // Said while the webhook or the client runs; not in the history, where a tool result must follow its call.
      const saying = waitingLine ? this.sayWhileWaiting(waitingLine, turn, signal) : Promise.resolve();
      // A client tool's notice is its request, sent once the wait for its answer is registered (askClient).
      if (tool?.type !== 'client') this.notify({ type: 'function-call', name: call.name, arguments: call.arguments, callId: call.id });
      try {
        outcome = this.deps.tools ? await this.deps.tools.run(call, signal, this.toolContext) : { result: `tool ${call.name} is not available` };
      } catch (error) {
        outcome = { result: `tool ${call.name} failed: ${isVapiError(error) ? error.message : 'error'}` };
      }
      await saying;
      const next = outcome.handoffTo ? await this.handoffTarget(outcome.handoffTo) : undefined;
      if (outcome.handoffTo && !next) outcome = { result: 'That handoff is not possible now. Keep helping the caller yourself.' };
      void this.record('tool-call', { id: call.id, name: call.name, arguments: call.arguments, result: outcome.result });
      this.history.addToolResult(call.id, outcome.result);
      if (next && outcome.handoffTo) await this.handOff(outcome.handoffTo, next, outcome.summary ?? '');
      if (await this.transferOrEnd(outcome)) return true;
    }
    return false;
  }

  /** Call control after a tool or a menu choice: a transfer or the end, once the bot's words are out. True when the call is over. */
  private async transferOrEnd(outcome: Pick<ToolOutcome, 'transferTo' | 'endCall'>): Promise<boolean> {
    if (outcome.transferTo && this.deps.leg.transfer) {
      await this.voice.drained();
      this.events.send('status-update', { status: 'forwarding' });
      await this.deps.leg.transfer(outcome.transferTo);
      await this.end('transferred');
      return true;
    }
    if (outcome.endCall) {
      await this.voice.drained();
      await this.end('assistant-ended-call');
      return true;
    }
    return false;
  }

  /** A client tool: registered before the client is asked, so its answer cannot arrive first. */
  private askClient(call: ToolCall, timeoutMs: number, signal: AbortSignal): Promise<ClientAnswer> {
    const answer = this.clientCalls.wait(call.id, call.name, timeoutMs, signal);
    this.notify({ type: 'function-call', name: call.name, arguments: call.arguments, callId: call.id, awaitsResult: true, timeoutMs });
    return answer;
  }

  /** The client's result of a client tool; one nobody waits for is an error the client hears, and the call goes on. */
  private onFunctionResult(callId: string, result: unknown): void {
    if (this.isEnded) return;
    const delivery = this.clientCalls.deliver(callId, result);
    if (delivery === 'delivered') return;
    const id = callId.slice(0, 100);
    const message =
      delivery === 'late'
        ? `the result for tool call '${id}' came after that call was answered, timed out or cancelled`
        : `no client tool call '${id}' is waiting for a result`;
    this.log.warn({ delivery }, 'an unexpected client tool result');
    void this.record('error', {
      code: 'VAPI_ERR_TOOL_CLIENT_RESULT_UNEXPECTED',
      category: 'bad_input',
      message,
      callId: id,
      fix: 'answer each function_call that has awaits_result exactly once, with its call_id, within its timeout_ms',
    });
  }

  /** The sendDtmf tool: the keys follow the words the bot said before pressing them. */
  private async pressKeys(digits: string, signal: AbortSignal): Promise<void> {
    await this.voice.drained();
    signal.throwIfAborted();
    await sendDtmfKeys(this.deps.leg, digits, this.deps.clock, signal);
  }

  private async sayWhileWaiting(line: string, turn: TurnLatency, signal: AbortSignal): Promise<void> {
    void this.record('transcript', { role: 'assistant', text: line });
    await this.speakSentences([line], () => true, () => {}, turn, signal).catch((error: unknown) => this.log.warn({ err: error }, 'the waiting line could not be spoken'));
  }

  /** The settings of the assistant to hand off to, or undefined when the handoff cannot happen. */
  private async handoffTarget(assistantId: string): Promise<AssistantSettings | undefined> {
    if (this.handoffs >= this.settings.squad.maxHandoffs) return undefined;
    try {
      return await this.deps.settings(assistantId);
    } catch (error) {
      this.log.warn({ err: error, assistantId }, 'the handoff target is not available');
      return undefined;
    }
  }

  /** The next LLM round (and every later turn) runs as `assistantId`; the handing-off assistant's squad settings decide what it sees. */
  private async handOff(assistantId: string, next: AssistantSettings, summary: string): Promise<void> {
    const from = this.assistantId ?? this.deps.call.record?.assistantId ?? null;
    if (this.settings.squad.history === 'summary') {
      const lastUser = this.history.transcript().filter((m) => m.role === 'user').at(-1);
      this.history = new History(next.maxHistoryMessages);
      if (lastUser) this.history.addUser(lastUser.text);
    }
    this.handoffs++;
    this.assistantId = assistantId;
    this.settings = next;
    this.handoffSummary = summary ? `\n\nYou are taking over this call from another assistant, which noted: ${summary}` : '';
    void this.record('handoff', { from, to: assistantId, summary });
  }

  private afterBotTurn(): void {
    this.phase = 'listening';
    this.notifyLatency();
    this.turn = undefined;
    this.notify({ type: 'status', status: 'listening' });
    if (this.endCallAfterSpeaking) {
      void this.end('assistant-ended-call');
      return;
    }
    const keys = this.heldKeys;
    this.heldKeys = undefined;
    if (keys !== undefined) return void this.handleKeys(keys);
    this.armIdleTimer();
  }

  /**
   * Speaks a line that is not an LLM reply (first message, idle prompt, a menu's words); true
   * when it was said to the end.
   */
  private async speak(text: string): Promise<boolean> {
    const response = (this.response = new AbortController());
    this.phase = 'responding';
    const turn = this.deps.metrics.begin();
    this.turn = turn;
    this.notify({ type: 'status', status: 'speaking' });
    this.startBotTurn(turn);
    this.history.addAssistant(text);
    this.replyInHistory = true;
    void this.record('transcript', { role: 'assistant', text });
    const segmenter = new SentenceSegmenter();
    const sentences = segmenter.push(text);
    const rest = segmenter.flush();
    if (rest) sentences.push(rest);
    try {
      await this.speakSentences(sentences, () => true, () => {}, turn, response.signal);
      await this.voice.drained();
      if (!response.signal.aborted && !this.isEnded) {
        this.notify({ type: 'response', text, isFinal: true });
        this.afterBotTurn();
        return true;
      }
    } catch (error) {
      if (!response.signal.aborted) await this.fail(error);
    }
    return false;
  }

  private armIdleTimer(): void {
    this.disarm('idleTimer');
    if (this.isEnded) return;
    this.idleTimer = this.deps.clock.setTimeout(() => {
      this.idleTimer = undefined;
      const prompts = this.settings.turn.idlePrompts;
      if (this.idlePromptsSaid >= this.settings.turn.maxIdlePrompts || prompts.length === 0) {
        void this.end('silence-timeout');
        return;
      }
      const prompt = prompts[this.idlePromptsSaid % prompts.length]!;
      this.idlePromptsSaid++;
      void this.speak(fillVariables(prompt, this.variables()));
    }, this.settings.turn.idleTimeoutMs);
  }

  /**
   * A provider failed: record it, say the fallback line if TTS still works, end cleanly. A
   * failure while saying the fallback ends the call at once.
   */
  private failing = false;
  private async fail(error: unknown): Promise<void> {
    if (this.isEnded) return;
    const vapiError = isVapiError(error) ? error : new VapiError('the call failed', { code: 'VAPI_ERR_CALL_FAILED', category: 'server', cause: error });
    this.log.error({ err: vapiError }, 'call failed; ending it');
    void this.record('error', { code: vapiError.code, category: vapiError.category, message: vapiError.message });
    if (this.failing) return this.end('error');
    this.failing = true;
    this.response?.abort();
    this.voice.interrupt();
    const response = (this.response = new AbortController());
    try {
      const turn = this.deps.metrics.begin();
      this.startBotTurn(turn);
      this.history.addAssistant(this.settings.fallbackLine);
      void this.record('transcript', { role: 'assistant', text: this.settings.fallbackLine });
      await this.speakSentences([this.settings.fallbackLine], () => true, () => {}, turn, response.signal);
      await this.voice.drained();
    } catch (fallbackError) {
      this.log.error({ err: fallbackError }, 'the fallback line could not be spoken');
    }
    await this.end('error');
  }

  private variables(): Record<string, string> {
    return { ...this.settings.variables, ...(this.deps.variables ?? {}) };
  }

  private disarm(timer: 'idleTimer' | 'endpointTimer'): void {
    const handle = this[timer];
    if (handle !== undefined) this.deps.clock.clearTimeout(handle);
    this[timer] = undefined;
  }

  /** Tells the leg's client what happens (web transports); a failing client never breaks the call. */
  private notify(notice: CallNotice): void {
    if (!this.deps.leg.notify) return;
    try {
      this.deps.leg.notify(notice);
    } catch (error) {
      this.log.warn({ err: error, notice: notice.type }, 'the leg could not take a notice');
    }
  }

  private notifyLatency(): void {
    if (this.turn) this.notify({ type: 'latency', turn: { ...this.turn } });
  }

  /** Store writes of this call, one after another so the record keeps their order. */
  private writes: Promise<void> = Promise.resolve();

  /**
   * Records a call event (and sends its server event). The write is queued, never waited for on
   * the reply's path: a store round trip must not delay the bot's voice. The returned promise
   * settles when this and every earlier event are written; the end-of-call report waits for it.
   */
  private record(type: string, payload: Record<string, unknown>): Promise<void> {
    if (type === 'error') this.notify({ type: 'error', code: String(payload.code), message: String(payload.message), ...(typeof payload.fix === 'string' ? { fix: payload.fix } : {}) });
    const serverEvent = SERVER_EVENT_OF[type];
    if (serverEvent) this.events.send(serverEvent, payload);
    this.writes = this.writes.then(() =>
      this.deps.call.event(type, payload).catch((error: unknown) => this.log.warn({ err: error, type }, 'could not record a call event')),
    );
    return this.writes;
  }
}

function required<T>(registry: Registry<T>, name: string, what: string, plugin: string): T {
  const found = registry.get(name);
  if (!found) {
    throw new VapiError(`no ${what} '${name}' is available`, {
      code: 'VAPI_ERR_ASSISTANT_PROVIDER',
      category: 'invalid_request',
      fix: `enable the ${plugin} plugin, or choose one of: ${registry.keys().join(', ') || '(none enabled)'}`,
    });
  }
  return found;
}

function missingProvider(kind: string, name: string): VapiError {
  return new VapiError(`the assistant's ${kind} provider '${name}' is not enabled`, {
    code: 'VAPI_ERR_ASSISTANT_PROVIDER',
    category: 'invalid_request',
    fix: `enable a plugin that provides the ${kind} provider '${name}', or change the assistant's ${kind.toLowerCase()}.provider`,
  });
}

/** The rate to ask TTS for: the leg's if the provider has it, else its first. */
function pickRate(tts: TtsProvider, wanted: number): number {
  return tts.capabilities.sampleRates.includes(wanted) ? wanted : tts.capabilities.sampleRates[0] ?? wanted;
}

