/** The time source used when no core clock is given (the plugin used outside a server). */
import { SystemClock, type Clock } from '@vapi-cn/sdk-plugin-api';

export type Timing = Pick<Clock, 'now' | 'sleep'>;

export const realTime: Timing = new SystemClock();
