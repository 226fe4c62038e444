import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { AudioStreamer, type AudioStreamInfo, type AudioStreamParams, type StreamOwner } from './audio-streamer.js';
import { basicData, profileData, variableData, type CallerProfile, type ChannelStatus, type Headers } from './channel-data.js';
import { formatLocalDate, nowMicros, type FsEvent } from './fs-event.js';
import { q850Code } from './hangup-causes.js';
import { PcmFifo, PcmRecorder, SILENCE_TICK } from './pcm-track.js';
import type { Playback } from './playback.js';
import type { TickListener } from './ticker.js';
import type { CallHost } from './call-host.js';
import { ApplicationRunner, type AppRequest } from './dialplan-apps.js';

/** What the test sees of a call's life. */
export type CallState = 'ringing' | 'early' | 'answered' | 'hungup';

/** Something holding the session (an outbound socket, an inbound `myevents <uuid>` socket). */
export interface SessionHolder {
  /** CHANNEL_HANGUP has been delivered ('hangup') / the hangup events are all out ('complete'). */
  onChannelDown(phase: 'hangup' | 'complete'): void;
}

export interface EmulatedCallInit {
  uuid: string;
  direction: 'inbound' | 'outbound';
  profile: Omit<CallerProfile, 'uniqueId' | 'profileIndex' | 'profileCreatedTime' | 'channelCreatedTime' | 'answeredTime' | 'progressTime' | 'progressMediaTime' | 'hangupTime' | 'transferTime'>;
  variables: Array<[string, string]>;
  record: boolean;
  callerAudio?: Int16Array;
  /** Inbound SIP calls have a codec from the INVITE on; outbound ones get it at answer. */
  codecFromStart: boolean;
}

interface Waiter {
  check: () => boolean;
  resolve: () => void;
}

/**
 * One emulated channel. The public surface is what a test drives and inspects (the human side:
 * `say`, `pressDigits`, `hangup`; what happened: `events`, `farEnd()`, `dtmfSent`, `transfers`,
 * `broadcasts`, `breaks`, `audioStream`). Members marked internal are the switch's side, used by
 * the ESL server, the API commands and the dialplan applications.
 */
export class EmulatedCall implements TickListener, StreamOwner {
  readonly uuid: string;
  readonly direction: 'inbound' | 'outbound';
  /** Every event fired for this channel, in order (the last 20 only when `record: false`). */
  readonly events: FsEvent[] = [];
  /** Digits the app sent with uuid_send_dtmf / send_dtmf, concatenated. */
  dtmfSent = '';
  /** Destinations of uuid_transfer / transfer, in order. */
  readonly transfers: string[] = [];
  /** Paths given to uuid_broadcast, in order (queued or played). */
  readonly broadcasts: string[] = [];
  /** Files that actually started playing (PLAYBACK_START), from any source. */
  readonly playbacks: string[] = [];
  /** Number of uuid_break commands received. */
  breaks = 0;
  hangupCause: string | undefined;

  /** @internal */ readonly profile: CallerProfile;
  /** @internal */ readonly status: ChannelStatus;
  /** @internal */ readonly variables = new Map<string, string>();
  /** @internal */ readonly apps: ApplicationRunner;
  /** @internal */ parked = false;
  /** @internal */ destroyed = false;

  private readonly host: CallHost;
  private readonly record: boolean;
  private readonly caller = new PcmFifo();
  private readonly heard: PcmRecorder | undefined;
  private streamer: AudioStreamer | undefined;
  private lastStreamer: AudioStreamer | undefined;
  private playback: { playback: Playback; onDone: (status: 'done' | 'break') => void } | undefined;
  private mediaRunning = false;
  /** The last tick sent caller audio (not padding): for the probe's speech onsets. */
  private callerTalking = false;
  private readonly holders = new Set<SessionHolder>();
  private readonly waiters = new Set<Waiter>();
  private readonly streamFiles: string[] = [];
  private streamFileCount = 0;
  private readonly createdMicros: number;
  private readonly initialDestination: string;

  constructor(host: CallHost, init: EmulatedCallInit) {
    this.host = host;
    this.uuid = init.uuid;
    this.direction = init.direction;
    this.record = init.record;
    this.heard = init.record ? new PcmRecorder() : undefined;
    this.createdMicros = nowMicros();
    this.initialDestination = init.profile.destinationNumber;
    this.profile = {
      ...init.profile,
      uniqueId: init.uuid,
      profileIndex: 1,
      profileCreatedTime: this.createdMicros,
      channelCreatedTime: this.createdMicros,
      answeredTime: 0,
      progressTime: 0,
      progressMediaTime: 0,
      hangupTime: 0,
      transferTime: 0,
    };
    this.status = {
      stateName: 'CS_NEW',
      stateNumber: 0,
      callState: 'DOWN',
      answerState: 'ringing',
      channelName: init.profile.channelName,
      uniqueId: init.uuid,
      direction: init.direction,
      hitDialplan: init.direction === 'inbound',
      codec: init.codecFromStart ? { name: 'PCMA', rate: 8000, bitRate: 64000 } : undefined,
    };
    for (const [name, value] of init.variables) this.variables.set(name, value);
    if (init.callerAudio) this.caller.append(init.callerAudio);
    this.apps = new ApplicationRunner(this, host);
  }

  // ---------------------------------------------------------------- the test's side

  get state(): CallState {
    if (this.hangupCause !== undefined) return 'hungup';
    return this.status.answerState === 'answered' ? 'answered' : this.status.answerState === 'early' ? 'early' : 'ringing';
  }

  /** The mod_audio_stream connection of this call (the current one, else the last one). */
  get audioStream(): AudioStreamInfo | undefined {
    return (this.streamer ?? this.lastStreamer)?.info;
  }

  /** Channel variable as FreeSWITCH holds it (without the `variable_` prefix). */
  getVariable(name: string): string | undefined {
    return this.variables.get(name);
  }

  /** The caller speaks: 8 kHz PCM appended to what the caller sends once the call is answered. */
  say(pcm8k: Int16Array): void {
    if (!(pcm8k instanceof Int16Array)) throw new TypeError('say() takes 8 kHz PCM as an Int16Array');
    this.caller.append(pcm8k);
  }

  /** Samples of caller audio not sent yet. */
  get pendingCallerSamples(): number {
    return this.caller.pendingSamples;
  }

  /**
   * The caller presses keys: one DTMF event per digit (RFC 2833, 120 ms), `intervalMs` apart.
   * Resolves once every digit has been fired.
   */
  async pressDigits(digits: string, options: { intervalMs?: number; durationMs?: number } = {}): Promise<void> {
    if (!/^[0-9*#A-Da-d]+$/.test(digits)) throw new RangeError(`pressDigits: "${digits}" is not DTMF (0-9 * # A-D)`);
    const duration = Math.round((options.durationMs ?? 120) * 8);
    for (let i = 0; i < digits.length; i++) {
      if (i > 0 && options.intervalMs) await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
      if (this.state === 'hungup') return;
      this.fire(this.channelEvent('DTMF', { variables: false, extra: [['DTMF-Digit', digits[i].toUpperCase()], ['DTMF-Duration', String(duration)], ['DTMF-Source', 'RTP']] }));
    }
  }

  /** The caller hangs up (BYE): the hangup events, then the audio stream closes with 1000. */
  hangup(cause = 'NORMAL_CLEARING'): void {
    this.hangupWith(cause);
  }

  /** What the caller heard at 8 kHz, from media up (answer or early media) to now. */
  farEnd(): Int16Array {
    if (!this.heard) throw new Error(`call ${this.uuid} was placed with record: false; its far end is not kept`);
    return this.heard.toInt16Array();
  }

  /** Resolves when `predicate(call)` holds; re-checked on every event and every 20 ms of media. */
  waitFor(predicate: (call: EmulatedCall) => boolean, timeoutMs = 5000, what = 'a condition'): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (predicate(this)) return resolve();
      const waiter: Waiter = {
        check: () => predicate(this),
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`call ${this.uuid}: timed out after ${timeoutMs} ms waiting for ${what} (state ${this.state}, ` +
          `events: ${this.events.map((e) => e.subclass ?? e.name).join(', ')})`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Resolves with the first event (from `fromIndex` on, past ones included) that matches. */
  async waitForEvent(match: string | ((event: FsEvent) => boolean), timeoutMs = 5000, fromIndex = 0): Promise<FsEvent> {
    const test = typeof match === 'string' ? (e: FsEvent) => e.name === match || e.subclass === match : match;
    let found: FsEvent | undefined;
    await this.waitFor(() => {
      found = this.events.slice(fromIndex).find(test);
      return found !== undefined;
    }, timeoutMs, typeof match === 'string' ? `event ${match}` : 'a matching event');
    return found!;
  }

  waitForState(state: CallState, timeoutMs = 5000): Promise<void> {
    return this.waitFor((c) => c.state === state, timeoutMs, `state ${state}`);
  }

  // ---------------------------------------------------------------- the switch's side

  /** @internal A channel event with the basic data, the caller profile and (optionally) variables. */
  channelEvent(
    name: string,
    options: { variables?: boolean; profile?: boolean; extra?: Headers; prefix?: Headers; subclass?: string } = {},
  ): FsEvent {
    const event = this.host.events.create(name, { subclass: options.subclass });
    if (options.prefix) event.addAll(options.prefix);
    event.addAll(basicData(this.status));
    if (options.profile !== false) event.addAll(profileData(this.profile));
    if (options.variables !== false) event.addAll(variableData(this.variables));
    if (options.extra) event.addAll(options.extra);
    return event;
  }

  /** @internal */
  fire(event: FsEvent): void {
    this.events.push(event);
    if (!this.record && this.events.length > 20) this.events.shift();
    this.host.fire(event);
    this.checkWaiters();
  }

  /** @internal The channel comes to life: CHANNEL_STATE(CS_INIT), CHANNEL_CREATE, then routing. */
  announce(): void {
    // CS_NEW is reported before the caller profile and the codec exist.
    const codec = this.status.codec;
    this.status.codec = undefined;
    this.setState('CS_NEW', 0);
    this.status.codec = codec;
    this.setState('CS_INIT', 1);
    this.status.stateNumber = 2;
    this.fire(this.channelEvent('CHANNEL_CREATE'));
    this.host.log(5, 'switch_channel.c', 'switch_channel_perform_set_name', 1192, `New Channel ${this.status.channelName} [${this.uuid}]`, this.uuid);
    if (this.direction === 'inbound') {
      this.setCallState('RINGING');
      this.setState('CS_ROUTING', 2);
      this.setState('CS_EXECUTE', 4);
    } else {
      // An originated leg waits for the far end in CS_CONSUME_MEDIA (see the originate capture).
      this.setState('CS_CONSUME_MEDIA', 7);
    }
  }

  /** @internal */
  setState(name: string, number: number, announce = true): void {
    this.status.stateName = name;
    this.status.stateNumber = number;
    if (announce) this.fire(this.channelEvent('CHANNEL_STATE', { variables: false, profile: name !== 'CS_NEW' }));
  }

  /** @internal */
  setCallState(callState: ChannelStatus['callState']): void {
    const original = this.status.callState;
    if (original === callState) return;
    this.status.callState = callState;
    const numbers = { DOWN: 0, RINGING: 2, EARLY: 3, ACTIVE: 4, HANGUP: 7 } as const;
    this.fire(this.channelEvent('CHANNEL_CALLSTATE', {
      variables: false,
      prefix: [['Original-Channel-Call-State', original], ['Channel-Call-State-Number', String(numbers[callState])]],
    }));
  }

  /** @internal switch_channel_answer. Returns false when there is nothing to answer. */
  markAnswered(): boolean {
    if (this.hangupCause !== undefined || this.status.answerState === 'answered') return false;
    const now = nowMicros();
    this.profile.answeredTime = now;
    if (!this.profile.progressTime) this.profile.progressTime = now;
    this.status.answerState = 'answered';
    this.status.codec ??= { name: 'PCMA', rate: 8000, bitRate: 64000 };
    this.variables.set('endpoint_disposition', 'ANSWER');
    this.fire(this.channelEvent('CHANNEL_ANSWER'));
    this.setCallState('ACTIVE');
    this.startMedia();
    return true;
  }

  /** @internal switch_channel_pre_answer (183 with SDP): early media, both ways. */
  markPreAnswered(): boolean {
    if (this.hangupCause !== undefined) return false;
    if (this.status.answerState !== 'ringing') return true;
    const now = nowMicros();
    this.profile.progressMediaTime = now;
    this.status.answerState = 'early';
    this.status.codec ??= { name: 'PCMA', rate: 8000, bitRate: 64000 };
    this.variables.set('endpoint_disposition', 'EARLY MEDIA');
    this.fire(this.channelEvent('CHANNEL_PROGRESS_MEDIA'));
    this.setCallState('EARLY');
    this.startMedia();
    return true;
  }

  /** @internal switch_channel_ring_ready (180). */
  markRingReady(): void {
    if (this.hangupCause !== undefined || this.profile.progressTime) return;
    this.profile.progressTime = nowMicros();
    this.fire(this.channelEvent('CHANNEL_PROGRESS'));
    if (this.status.callState === 'DOWN') this.setCallState('RINGING');
  }

  /** @internal The hangup sequence, in the order the captures show. */
  hangupWith(cause: string): void {
    if (this.hangupCause !== undefined) return;
    const now = nowMicros();
    this.hangupCause = cause;
    this.profile.hangupTime = now;
    this.status.answerState = 'hangup';
    this.status.hangupCause = cause;
    this.status.stateNumber = 10;
    this.variables.set('hangup_cause', cause);
    this.variables.set('hangup_cause_q850', String(q850Code(cause)));
    this.stopMedia();
    if (this.streamer) this.streamer.hangup();
    this.fire(this.channelEvent('CHANNEL_HANGUP'));
    this.host.log(5, 'switch_channel.c', 'switch_channel_perform_hangup', 3552, `Hangup ${this.status.channelName} [${this.status.stateName}] [${cause}]`, this.uuid);
    for (const holder of [...this.holders]) holder.onChannelDown('hangup');
    this.apps.onHangup();
    this.setState('CS_HANGUP', 10);
    this.setCallState('HANGUP');
    this.setState('CS_REPORTING', 11);
    this.addBillingVariables(now);
    this.fire(this.channelEvent('CHANNEL_HANGUP_COMPLETE', { prefix: [['Hangup-Cause', cause]] }));
    for (const holder of [...this.holders]) holder.onChannelDown('complete');
    this.maybeDestroy();
  }

  /** @internal The channel's session is locked by an ESL socket until it lets go. */
  hold(holder: SessionHolder): void {
    this.holders.add(holder);
  }

  /** @internal */
  release(holder: SessionHolder): void {
    if (!this.holders.delete(holder)) return;
    this.apps.onHolderReleased();
    this.maybeDestroy();
  }

  /** @internal */
  get holderCount(): number {
    return this.holders.size;
  }

  /** @internal Queues an application (sendmsg execute, uuid_broadcast, dialplan). */
  execute(request: AppRequest): void {
    this.apps.enqueue(request);
  }

  /** @internal Plays a file to the caller; `onDone` runs when it ends or is broken off. */
  startPlayback(playback: Playback, onDone: (status: 'done' | 'break') => void): void {
    this.playback = { playback, onDone };
    this.playbacks.push(playback.path);
    this.startMedia();
  }

  /** @internal Stops the current file (uuid_break, transfer, hangup). */
  stopPlayback(status: 'done' | 'break'): void {
    const current = this.playback;
    if (!current) return;
    this.playback = undefined;
    current.onDone(status);
  }

  /** @internal */
  get playing(): Playback | undefined {
    return this.playback?.playback;
  }

  /** @internal uuid_audio_stream start. Returns false when FreeSWITCH would answer -ERR. */
  startAudioStream(params: AudioStreamParams): boolean {
    if (this.streamer || this.hangupCause !== undefined) return false;
    // mod_audio_stream pre-answers the channel if it is still ringing.
    if (!this.markPreAnswered()) return false;
    this.streamer = new AudioStreamer(this, params);
    this.host.counters.audioStreamsOpened++;
    this.startMedia();
    return true;
  }

  /** @internal */
  get streaming(): AudioStreamer | undefined {
    return this.streamer;
  }

  /** @internal StreamOwner */
  fireStreamEvent(subclass: string, body: string): void {
    const event = this.channelEvent('CUSTOM', { subclass });
    event.body = body;
    this.fire(event);
  }

  /** @internal StreamOwner: `<temp_dir>/<uuid>_<n>.tmp.<ext>`, deleted when the session ends. */
  writeStreamFile(extension: string, data: Buffer): string {
    const path = this.host.writeTempFile(`${this.uuid}_${this.streamFileCount++}.tmp${extension}`, data);
    this.streamFiles.push(path);
    return path;
  }

  /** @internal StreamOwner */
  streamEnded(streamer: AudioStreamer): void {
    if (this.streamer !== streamer) return;
    this.lastStreamer = streamer;
    this.streamer = undefined;
    this.checkWaiters();
  }

  /** @internal StreamOwner */
  countStreamFrame(bytes: number): void {
    this.host.counters.audioFramesSent++;
    this.host.counters.audioBytesSent += bytes;
  }

  /** @internal One 20 ms media tick from the shared ticker. */
  tick(): void {
    if (!this.mediaRunning) return;
    const answered = this.status.answerState === 'answered';
    const talking = answered && this.caller.pendingSamples > 0;
    const callerFrame = answered ? this.caller.readTick() : SILENCE_TICK;
    let played: Int16Array | null = null;
    const current = this.playback;
    const probe = this.host.probe;
    if (current) {
      played = current.playback.nextFrame();
      if (current.playback.finished && this.playback === current) {
        this.playback = undefined;
        probe?.playbackDone?.(this, current.playback.path, performance.now() + 20);
        current.onDone('done');
      }
    }
    this.heard?.append(played ?? SILENCE_TICK);
    this.streamer?.onTick(callerFrame, played);
    if (probe?.callerSpeechSent && talking && !this.callerTalking && this.streamer?.info.connected) probe.callerSpeechSent(this, performance.now());
    this.callerTalking = talking;
    this.checkWaiters();
  }

  /** @internal A row of `show channels` (the channels table of the core database). */
  channelRow(hostname: string): Record<string, string> {
    const created = Math.floor(this.createdMicros / 1e6);
    const running = this.apps.currentApplication();
    const codec = this.status.codec;
    return {
      uuid: this.uuid,
      direction: this.direction,
      created: formatLocalDate(this.createdMicros),
      created_epoch: String(created),
      name: this.status.channelName,
      state: this.status.stateName,
      cid_name: this.profile.callerIdName,
      cid_num: this.profile.callerIdNumber,
      ip_addr: this.profile.networkAddr ?? '',
      dest: this.profile.destinationNumber,
      application: running?.name ?? '',
      application_data: running?.arg ?? '',
      dialplan: this.profile.dialplan ?? 'XML',
      context: this.profile.context,
      read_codec: codec?.name ?? '',
      read_rate: codec ? String(codec.rate) : '',
      read_bit_rate: codec ? String(codec.bitRate) : '',
      write_codec: codec?.name ?? '',
      write_rate: codec ? String(codec.rate) : '',
      write_bit_rate: codec ? String(codec.bitRate) : '',
      secure: '',
      hostname,
      presence_id: '',
      presence_data: '',
      accountcode: '',
      callstate: this.status.callState,
      callee_name: '',
      callee_num: '',
      callee_direction: '',
      call_uuid: this.uuid,
      sent_callee_name: '',
      sent_callee_num: '',
      initial_cid_name: this.profile.origCallerIdName,
      initial_cid_num: this.profile.origCallerIdNumber,
      initial_ip_addr: this.profile.networkAddr ?? '',
      initial_dest: this.initialDestination,
      initial_dialplan: 'XML',
      initial_context: 'default',
    };
  }

  /** @internal uuid_transfer / transfer: a new caller profile, then the emulated dialplan parks it. */
  transfer(destination: string, dialplan = 'XML', context = 'default'): void {
    if (this.hangupCause !== undefined) return;
    this.transfers.push(destination);
    this.variables.set('transfer_history', `${Math.floor(Date.now() / 1000)}:${randomUUID()}:uuid_br:${destination}/${context}/${dialplan}`);
    this.apps.onTransfer();
    this.profile.profileIndex++;
    this.profile.destinationNumber = destination;
    this.profile.context = context;
    this.profile.dialplan = dialplan;
    this.profile.transferTime = nowMicros();
    this.setState('CS_ROUTING', 2);
    this.setState('CS_EXECUTE', 4);
    this.apps.runDialplanPark();
  }

  private startMedia(): void {
    if (this.mediaRunning || this.hangupCause !== undefined) return;
    if (this.status.answerState === 'ringing') return;
    this.mediaRunning = true;
    this.host.ticker.add(this);
  }

  private stopMedia(): void {
    if (!this.mediaRunning) return;
    this.mediaRunning = false;
    this.host.ticker.delete(this);
  }

  private addBillingVariables(endMicros: number): void {
    const start = this.createdMicros;
    const answer = this.profile.answeredTime;
    const set = (name: string, value: string | number) => this.variables.set(name, String(value));
    set('start_stamp', formatLocalDate(start));
    if (answer) set('answer_stamp', formatLocalDate(answer));
    set('end_stamp', formatLocalDate(endMicros));
    set('start_epoch', Math.floor(start / 1e6));
    set('start_uepoch', start);
    set('answer_epoch', answer ? Math.floor(answer / 1e6) : 0);
    set('answer_uepoch', answer);
    set('end_epoch', Math.floor(endMicros / 1e6));
    set('end_uepoch', endMicros);
    set('duration', Math.floor((endMicros - start) / 1e6));
    set('billsec', answer ? Math.floor((endMicros - answer) / 1e6) : 0);
    set('billmsec', answer ? Math.floor((endMicros - answer) / 1e3) : 0);
    set('mduration', Math.floor((endMicros - start) / 1e3));
    set('answersec', answer ? Math.floor((answer - start) / 1e6) : 0);
    set('digits_dialed', 'none');
  }

  private maybeDestroy(): void {
    if (this.destroyed || this.hangupCause === undefined || this.holders.size > 0) return;
    this.destroyed = true;
    this.setState('CS_DESTROY', 12, false);
    this.fire(this.channelEvent('CHANNEL_DESTROY'));
    this.fire(this.channelEvent('CHANNEL_STATE', { variables: false }));
    for (const path of this.streamFiles) rmSync(path, { force: true });
    this.host.callDestroyed(this);
    this.checkWaiters();
  }

  private checkWaiters(): void {
    if (this.waiters.size === 0) return;
    for (const waiter of [...this.waiters]) {
      let done = false;
      try {
        done = waiter.check();
      } catch {
        done = false;
      }
      if (done) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }
}
