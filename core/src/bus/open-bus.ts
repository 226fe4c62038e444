/** Opens the configured message bus. */
import { VapiError, type Bus, type Logger, type ServerConfig } from '@vapi-cn/sdk-plugin-api';
import { MemoryBus } from './memory-bus.js';
import { RedisBus } from './redis-bus.js';

export async function openBus(config: ServerConfig['bus'], log: Logger): Promise<Bus> {
  if (config.driver === 'memory') return new MemoryBus(log);
  if (!config.url) {
    throw new VapiError('bus.driver is redis but bus.url is empty', {
      code: 'VAPI_ERR_BUS_URL',
      category: 'invalid_request',
      fix: 'Set bus.url to redis://host:6379, or use bus.driver: memory on a single node.',
    });
  }
  const bus = await RedisBus.connect({ url: config.url, prefix: config.prefix, log });
  log.info({ driver: 'redis', redis: bus.where }, 'bus ready');
  return bus;
}
