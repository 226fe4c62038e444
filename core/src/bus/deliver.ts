/** Calls one subscriber's handler so that its failure, sync or async, stays its own. */
import type { BusHandler, Logger } from '@vapi-cn/sdk-plugin-api';

export function deliver(handler: BusHandler, message: unknown, topic: string, log: Logger): void {
  const report = (err: unknown) => log.error({ err, topic }, 'bus subscriber failed');
  try {
    Promise.resolve(handler(message, topic)).catch(report);
  } catch (err) {
    report(err);
  }
}
