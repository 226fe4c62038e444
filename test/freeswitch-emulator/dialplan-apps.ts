import { randomUUID } from 'node:crypto';
import { openPlaybackSource } from './audio-file.js';
import type { CallHost } from './call-host.js';
import type { Headers } from './channel-data.js';
import type { EmulatedCall } from './emulated-call.js';
import { parseHangupCause } from './hangup-causes.js';
import { Playback } from './playback.js';

/**
 * The applications a channel runs (mod_dptools and friends), one at a time as FreeSWITCH's
 * session thread does: sendmsg `execute`, uuid_broadcast and the dialplan all queue here.
 * `park` and `socket` stay underneath (they end only at hangup or transfer) while queued apps
 * run on top, which is how a parked or socket-controlled channel still executes commands.
 * Every app fires CHANNEL_EXECUTE then CHANNEL_EXECUTE_COMPLETE with Application-UUID = the
 * client's Event-UUID (or a fresh one). An unknown app hangs the channel up with
 * DESTINATION_OUT_OF_ORDER, as switch_core_session_execute_application does.
 */
export interface AppRequest {
  name: string;
  arg: string;
  /** sendmsg `Event-UUID`: becomes Application-UUID. */
  appUuid?: string;
  /** sendmsg `Event-UUID-Name`: becomes Application-UUID-Name. */
  appUuidName?: string;
  /** sendmsg `loops` (playback only). */
  loops?: number;
  source: 'sendmsg' | 'broadcast' | 'dialplan' | 'originate';
  /** Runs after CHANNEL_EXECUTE_COMPLETE, or when the app is dropped (a static socket waits on it). */
  onComplete?: () => void;
}

interface AppRun {
  readonly request: AppRequest;
  readonly uuid: string;
  finished: boolean;
  cancel?: () => void;
}

type AppBehaviour = (runner: ApplicationRunner, run: AppRun) => void;

const APPS: Record<string, AppBehaviour> = {
  answer: (r, run) => {
    r.call.markAnswered();
    r.complete(run);
  },
  pre_answer: (r, run) => {
    r.call.markPreAnswered();
    r.complete(run);
  },
  ring_ready: (r, run) => {
    r.call.markRingReady();
    r.complete(run);
  },
  // The app completes after CHANNEL_HANGUP (see onHangup), as in the captures.
  hangup: (r, run) => r.call.hangupWith(parseHangupCause(run.request.arg)),
  playback: (r, run) => r.playFile(run),
  park: (r, run) => r.park(run),
  socket: (r, run) => r.socket(run),
  transfer: (r, run) => {
    const [destination, dialplan, context] = run.request.arg.split(/\s+/).filter(Boolean);
    r.complete(run);
    if (destination) r.call.transfer(destination, dialplan, context);
  },
  sleep: (r, run) => {
    const ms = Number.parseInt(run.request.arg, 10);
    const timer = setTimeout(() => r.complete(run), Number.isFinite(ms) && ms > 0 ? ms : 0);
    run.cancel = () => clearTimeout(timer);
  },
  set: (r, run) => {
    r.setVariables([run.request.arg]);
    r.complete(run);
  },
  export: (r, run) => {
    r.setVariables([run.request.arg.replace(/^nolocal:/, '')]);
    r.complete(run);
  },
  multiset: (r, run) => {
    const arg = run.request.arg;
    const parts = arg.startsWith('^^') ? arg.slice(3).split(arg[2]) : arg.split(/\s+/);
    r.setVariables(parts);
    r.complete(run);
  },
  unset: (r, run) => {
    r.call.variables.delete(run.request.arg.trim());
    r.complete(run);
  },
  send_dtmf: (r, run) => {
    r.call.dtmfSent += run.request.arg.split('@')[0].trim();
    r.complete(run);
  },
  log: (r, run) => r.complete(run),
  info: (r, run) => r.complete(run),
};

export class ApplicationRunner {
  private readonly queue: AppRun[] = [];
  private current: AppRun | undefined;
  /** park / socket: running underneath until hangup or transfer. */
  private readonly base: AppRun[] = [];
  private scheduled = false;
  /** Set while a hangup or transfer ends the apps: their completion must not end the extension. */
  private ending = false;

  constructor(readonly call: EmulatedCall, private readonly host: CallHost) {}

  enqueue(request: AppRequest): void {
    if (this.call.hangupCause !== undefined) {
      request.onComplete?.();
      return;
    }
    this.queue.push({ request, uuid: request.appUuid ?? randomUUID(), finished: false });
    this.schedule();
  }

  /** The app show channels reports: the one on top, else the one underneath. */
  currentApplication(): AppRequest | undefined {
    return this.current?.request ?? this.base[this.base.length - 1]?.request;
  }

  /** uuid_break: stop the current file (or sleep); with `all`, drop what is queued as well. */
  breakCurrent(all: boolean): void {
    if (all) this.dropQueue();
    if (this.call.playing) {
      this.call.stopPlayback('break');
    } else if (this.current?.cancel) {
      const run = this.current;
      run.cancel!();
      this.complete(run);
    }
  }

  /** After CHANNEL_HANGUP: finish what runs, drop the queue, unpark, end the base apps. */
  onHangup(): void {
    this.endEverything('done');
  }

  /** A transfer ends the running apps like a hangup does, but the channel lives on. */
  onTransfer(): void {
    this.endEverything('break');
  }

  /** The emulated dialplan of a transfer target: park. */
  runDialplanPark(): void {
    this.enqueue({ name: 'park', arg: '', source: 'dialplan' });
  }

  /** An outbound socket went away; with socket_resume the dialplan continues (and ends). */
  onHolderReleased(): void {
    const socketRun = this.base.find((run) => run.request.name === 'socket');
    if (!socketRun || this.call.hangupCause !== undefined) return;
    if (this.call.variables.get('socket_resume') === 'true' && this.call.holderCount === 0) {
      if (this.call.parked) this.unpark();
      this.complete(socketRun);
    }
  }

  complete(run: AppRun, response?: string): void {
    if (run.finished) return;
    run.finished = true;
    if (response !== undefined) this.call.variables.set('current_application_response', response);
    this.call.fire(this.call.channelEvent('CHANNEL_EXECUTE_COMPLETE', { extra: this.appHeaders(run, true) }));
    const baseIndex = this.base.indexOf(run);
    if (baseIndex >= 0) this.base.splice(baseIndex, 1);
    if (this.current === run) this.current = undefined;
    run.request.onComplete?.();
    if (this.call.hangupCause !== undefined || this.ending) return;
    const fromDialplan = run.request.source === 'dialplan' || run.request.source === 'originate';
    if (fromDialplan && !this.current && this.queue.length === 0 && this.base.length === 0) {
      // The extension has no more applications: FreeSWITCH hangs up with NORMAL_CLEARING.
      this.call.hangupWith('NORMAL_CLEARING');
      return;
    }
    this.schedule();
  }

  setVariables(assignments: string[]): void {
    for (const assignment of assignments) {
      const eq = assignment.indexOf('=');
      if (eq <= 0) continue;
      const name = assignment.slice(0, eq).trim();
      const value = assignment.slice(eq + 1);
      if (value === '' || value === '_undef_') this.call.variables.delete(name);
      else this.call.variables.set(name, value);
    }
  }

  playFile(run: AppRun): void {
    const path = run.request.arg.trim();
    if (!this.call.markPreAnswered()) {
      this.complete(run, 'PLAYBACK ERROR');
      return;
    }
    const source = openPlaybackSource(path);
    if (!source.ok) {
      this.host.log(3, 'mod_sndfile.c', 'sndfile_file_open', 336, `Error Opening File [${path}] [${source.detail}]`, this.call.uuid);
      this.complete(run, source.reason === 'not-found' ? 'FILE NOT FOUND' : 'PLAYBACK ERROR');
      return;
    }
    const loops = run.request.loops ?? 1;
    this.call.variables.set('current_loop', '1');
    this.call.variables.set('total_loops', String(loops));
    const playback = new Playback(path, source.samples, source.fileType, loops);
    const fileHeaders: Headers = source.fileType ? [['Playback-File-Type', source.fileType]] : [];
    fileHeaders.push(['Playback-File-Path', path]);
    this.call.fire(this.call.channelEvent('PLAYBACK_START', { extra: fileHeaders }));
    this.call.startPlayback(playback, (status) => {
      const samples = playback.samplesPlayed;
      this.call.variables.set('playback_last_offset_pos', String(samples));
      this.call.variables.set('playback_seconds', String(Math.floor(samples / 8000)));
      this.call.variables.set('playback_ms', String(Math.floor(samples / 8)));
      this.call.variables.set('playback_samples', String(samples));
      this.call.fire(this.call.channelEvent('PLAYBACK_STOP', { extra: [...fileHeaders, ['Playback-Status', status]] }));
      this.complete(run, 'FILE PLAYED');
    });
  }

  park(run: AppRun): void {
    if (this.call.parked) {
      this.complete(run);
      return;
    }
    this.moveToBase(run);
    this.call.parked = true;
    this.call.fire(this.call.channelEvent('CHANNEL_PARK'));
    this.schedule();
  }

  socket(run: AppRun): void {
    this.moveToBase(run);
    this.host.dialSocket(this.call, run.request.arg, (connected) => {
      if (!connected) this.complete(run);
    });
    this.schedule();
  }

  /** An async outbound socket parks the channel once the app has sent `connect`. */
  parkForSocket(): void {
    if (this.call.parked || this.call.hangupCause !== undefined) return;
    this.call.parked = true;
    this.call.fire(this.call.channelEvent('CHANNEL_PARK'));
  }

  private moveToBase(run: AppRun): void {
    if (this.current === run) this.current = undefined;
    this.base.push(run);
  }

  private unpark(): void {
    this.call.parked = false;
    this.call.fire(this.call.channelEvent('CHANNEL_UNPARK'));
  }

  private endEverything(playbackStatus: 'done' | 'break'): void {
    this.ending = true;
    try {
      this.endRunningApps(playbackStatus);
    } finally {
      this.ending = false;
    }
  }

  private endRunningApps(playbackStatus: 'done' | 'break'): void {
    this.dropQueue();
    if (this.call.playing) this.call.stopPlayback(playbackStatus);
    const current = this.current;
    if (current) {
      current.cancel?.();
      this.complete(current);
    }
    if (this.call.parked) this.unpark();
    for (const run of [...this.base].reverse()) this.complete(run);
  }

  private dropQueue(): void {
    const dropped = this.queue.splice(0);
    for (const run of dropped) run.request.onComplete?.();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Apps start on the session thread, after the command that queued them has been answered.
    setImmediate(() => {
      this.scheduled = false;
      this.runNext();
    });
  }

  private runNext(): void {
    if (this.current || this.call.hangupCause !== undefined) return;
    const run = this.queue.shift();
    if (!run) return;
    const behaviour = APPS[run.request.name.toLowerCase()];
    if (!behaviour) {
      this.host.log(3, 'switch_core_session.c', 'switch_core_session_execute_application_get_flags', 2766, `Invalid Application ${run.request.name}`, this.call.uuid);
      run.request.onComplete?.();
      this.call.hangupWith('DESTINATION_OUT_OF_ORDER');
      return;
    }
    this.current = run;
    const vars = this.call.variables;
    vars.set('current_application', run.request.name);
    if (run.request.arg) vars.set('current_application_data', run.request.arg);
    else vars.delete('current_application_data');
    vars.delete('current_application_response');
    this.call.status.hitDialplan = true;
    this.call.fire(this.call.channelEvent('CHANNEL_EXECUTE', { extra: this.appHeaders(run, false) }));
    this.host.log(7, 'switch_core_session.c', 'switch_core_session_exec', 2956,
      `EXECUTE [depth=0] ${this.call.status.channelName} ${run.request.name}(${run.request.arg})`, this.call.uuid);
    behaviour(this, run);
  }

  private appHeaders(run: AppRun, complete: boolean): Headers {
    const h: Headers = [['Application', run.request.name]];
    if (run.request.arg) h.push(['Application-Data', run.request.arg]);
    if (complete) h.push(['Application-Response', this.call.variables.get('current_application_response') ?? '_none_']);
    h.push(['Application-UUID', run.uuid]);
    if (run.request.appUuidName) h.push(['Application-UUID-Name', run.request.appUuidName]);
    return h;
  }
}
