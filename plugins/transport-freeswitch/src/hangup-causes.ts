/**
 * The engine ends calls with its own reasons (`assistant-ended`, `setup-failed`...); FreeSWITCH
 * hangs up with Q.850 cause names, which carriers turn into SIP status codes. A reason that is
 * already a cause name passes through.
 */
const Q850_NAME = /^[A-Z][A-Z0-9_]+$/;

const BY_REASON: Record<string, string> = {
  'setup-failed': 'NORMAL_TEMPORARY_FAILURE',
  'assistant-not-found': 'UNALLOCATED_NUMBER',
  'carrier-limit': 'USER_BUSY',
  'media-timeout': 'RECOVERY_ON_TIMER_EXPIRE',
  'server-shutdown': 'SYSTEM_SHUTDOWN',
};

export function hangupCauseFor(reason: string): string {
  if (Q850_NAME.test(reason)) return reason;
  return BY_REASON[reason] ?? 'NORMAL_CLEARING';
}

/** How an unanswered originate ended, from FreeSWITCH's cause. */
export function dialOutcomeOf(cause: string): 'busy' | 'no-answer' | 'failed' {
  switch (cause) {
    case 'USER_BUSY':
      return 'busy';
    case 'NO_ANSWER':
    case 'NO_USER_RESPONSE':
    case 'ORIGINATOR_CANCEL':
    case 'ALLOTTED_TIMEOUT':
    case 'RECOVERY_ON_TIMER_EXPIRE':
      return 'no-answer';
    default:
      return 'failed';
  }
}
