/**
 * Presses keys on a leg for the sendDtmf tool. The pauses `w` (500 ms) and `W` (1 s) go to a leg
 * that takes them; for any other the runs of keys between them are sent one by one with the
 * pauses waited here, so every leg that sends DTMF gets them.
 */
import type { CallLeg, Clock } from '@vapi-cn/sdk-plugin-api';

export const DTMF_PAUSE_MS = { w: 500, W: 1000 } as const;

/** Sends `keys` (already validated) on `leg`; rejects when the leg fails or `signal` aborts. */
export async function sendDtmfKeys(leg: Pick<CallLeg, 'sendDtmf' | 'dtmfPauses'>, keys: string, clock: Clock, signal: AbortSignal): Promise<void> {
  const send = leg.sendDtmf?.bind(leg);
  if (!send) throw new Error('the leg cannot send DTMF');
  if (leg.dtmfPauses) return send(keys);
  for (const run of keys.match(/w|W|[^wW]+/g) ?? []) {
    signal.throwIfAborted();
    if (run === 'w' || run === 'W') await clock.sleep(DTMF_PAUSE_MS[run], signal);
    else await send(run);
  }
}
