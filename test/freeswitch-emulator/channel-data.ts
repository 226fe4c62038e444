/**
 * The channel headers FreeSWITCH puts on channel events, in its order
 * (switch_channel_event_set_basic_data, switch_caller_profile_event_set_data,
 * switch_channel_event_set_extended_data). Captured example: fixtures/freeswitch/*call1001*.
 */
export type Headers = Array<[string, string]>;

/** The caller profile (`Caller-*` headers; `Channel-*` in an outbound socket's CHANNEL_DATA). */
export interface CallerProfile {
  direction: 'inbound' | 'outbound';
  username?: string;
  dialplan?: string;
  callerIdName: string;
  callerIdNumber: string;
  origCallerIdName: string;
  origCallerIdNumber: string;
  calleeIdName?: string;
  calleeIdNumber?: string;
  networkAddr?: string;
  ani: string;
  destinationNumber: string;
  uniqueId: string;
  source: string;
  context: string;
  channelName: string;
  profileIndex: number;
  profileCreatedTime: number;
  channelCreatedTime: number;
  answeredTime: number;
  progressTime: number;
  progressMediaTime: number;
  hangupTime: number;
  transferTime: number;
}

/** switch_channel_state_t numbers. */
export const CHANNEL_STATE_NUMBERS: Record<string, number> = {
  CS_NEW: 0, CS_INIT: 1, CS_ROUTING: 2, CS_SOFT_EXECUTE: 3, CS_EXECUTE: 4, CS_EXCHANGE_MEDIA: 5,
  CS_PARK: 6, CS_CONSUME_MEDIA: 7, CS_HIBERNATE: 8, CS_RESET: 9, CS_HANGUP: 10, CS_REPORTING: 11, CS_DESTROY: 12,
};

export interface ChannelStatus {
  stateName: string;
  /** Not always CHANNEL_STATE_NUMBERS[stateName]: FreeSWITCH reports the running state's number. */
  stateNumber: number;
  callState: 'DOWN' | 'RINGING' | 'EARLY' | 'ACTIVE' | 'HANGUP';
  answerState: 'ringing' | 'early' | 'answered' | 'hangup';
  channelName: string;
  uniqueId: string;
  direction: 'inbound' | 'outbound';
  hitDialplan: boolean;
  hangupCause?: string;
  /** Present once media is negotiated (inbound: from the INVITE; outbound: from the answer). */
  codec?: { name: string; rate: number; bitRate: number };
}

export function basicData(status: ChannelStatus): Headers {
  const h: Headers = [
    ['Channel-State', status.stateName],
    ['Channel-Call-State', status.callState],
    ['Channel-State-Number', String(status.stateNumber)],
    ['Channel-Name', status.channelName],
    ['Unique-ID', status.uniqueId],
    ['Call-Direction', status.direction],
    ['Presence-Call-Direction', status.direction],
    ['Channel-HIT-Dialplan', String(status.hitDialplan)],
    ['Channel-Call-UUID', status.uniqueId],
    ['Answer-State', status.answerState],
  ];
  if (status.hangupCause) h.push(['Hangup-Cause', status.hangupCause]);
  if (status.codec) {
    const { name, rate, bitRate } = status.codec;
    h.push(
      ['Channel-Read-Codec-Name', name], ['Channel-Read-Codec-Rate', String(rate)], ['Channel-Read-Codec-Bit-Rate', String(bitRate)],
      ['Channel-Write-Codec-Name', name], ['Channel-Write-Codec-Rate', String(rate)], ['Channel-Write-Codec-Bit-Rate', String(bitRate)],
    );
  }
  return h;
}

export function profileData(p: CallerProfile, prefix = 'Caller'): Headers {
  const h: Headers = [];
  const add = (name: string, value: string | number | undefined) => {
    if (value !== undefined) h.push([`${prefix}-${name}`, String(value)]);
  };
  add('Direction', p.direction);
  add('Logical-Direction', p.direction);
  add('Username', p.username);
  add('Dialplan', p.dialplan);
  add('Caller-ID-Name', p.callerIdName);
  add('Caller-ID-Number', p.callerIdNumber);
  add('Orig-Caller-ID-Name', p.origCallerIdName);
  add('Orig-Caller-ID-Number', p.origCallerIdNumber);
  add('Callee-ID-Name', p.calleeIdName);
  add('Callee-ID-Number', p.calleeIdNumber);
  add('Network-Addr', p.networkAddr);
  add('ANI', p.ani);
  add('Destination-Number', p.destinationNumber);
  add('Unique-ID', p.uniqueId);
  add('Source', p.source);
  add('Context', p.context);
  add('Channel-Name', p.channelName);
  add('Profile-Index', p.profileIndex);
  add('Profile-Created-Time', p.profileCreatedTime);
  add('Channel-Created-Time', p.channelCreatedTime);
  add('Channel-Answered-Time', p.answeredTime);
  add('Channel-Progress-Time', p.progressTime);
  add('Channel-Progress-Media-Time', p.progressMediaTime);
  add('Channel-Hangup-Time', p.hangupTime);
  add('Channel-Transfer-Time', p.transferTime);
  add('Channel-Resurrect-Time', 0);
  add('Channel-Bridged-Time', 0);
  add('Channel-Last-Hold', 0);
  add('Channel-Hold-Accum', 0);
  add('Screen-Bit', 'true');
  add('Privacy-Hide-Name', 'false');
  add('Privacy-Hide-Number', 'false');
  return h;
}

export function variableData(variables: ReadonlyMap<string, string>): Headers {
  const h: Headers = [];
  for (const [name, value] of variables) h.push([`variable_${name}`, value]);
  return h;
}
