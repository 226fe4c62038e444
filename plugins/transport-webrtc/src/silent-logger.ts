/** The logger of a peer created without one: drops everything. */
import type { Logger } from '@vapi-cn/sdk-plugin-api';

const drop = () => {};

export const silentLogger: Logger = {
  level: 'silent',
  fatal: drop,
  error: drop,
  warn: drop,
  info: drop,
  debug: drop,
  trace: drop,
  child: () => silentLogger,
};
