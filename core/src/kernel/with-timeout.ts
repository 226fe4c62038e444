/** Runs a plugin phase with a time limit; a phase that overruns fails with VAPI_ERR_PLUGIN_TIMEOUT. */
import { VapiError } from '@vapi-cn/sdk-plugin-api';

export async function withTimeout<T>(work: () => T | Promise<T>, ms: number, what: { plugin: string; phase: 'setup' | 'start' | 'stop' }): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new VapiError(`plugin '${what.plugin}' did not finish ${what.phase}() within ${ms} ms`, {
          code: 'VAPI_ERR_PLUGIN_TIMEOUT',
          category: 'timeout',
          retryable: false,
          details: { plugin: what.plugin, phase: what.phase, timeoutMs: ms },
          fix: `raise plugins.${what.plugin}.timeouts.${what.phase}Ms, or find out why the plugin hangs (a service it connects to?)`,
        }),
      );
    }, ms);
  });
  try {
    return await Promise.race([Promise.resolve().then(work), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
