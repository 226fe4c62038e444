/**
 * Factories that can be rebuilt in a worker thread. A DI-provided factory is a live object of the
 * main thread; a media worker (transport-webrtc's) cannot receive it, so a factory that can run
 * there says how to make it again: import `module`, call its export `export` with `options`.
 * The options must survive structured cloning (plain data, no functions).
 */
import { VapiError } from './errors.js';

export interface WorkerRecipe {
  /** `file:` URL (or package specifier) of an ES module; `import.meta.url` of the factory's own module. */
  readonly module: string;
  /** Name of the export: a function `(options) => factory`. */
  readonly export: string;
  readonly options?: unknown;
}

/** A factory that a worker thread can rebuild. */
export interface WorkerPortable {
  readonly workerRecipe?: WorkerRecipe;
}

/** Builds a factory from its recipe (in the worker thread). */
export async function buildFromRecipe<T>(recipe: WorkerRecipe): Promise<T> {
  const module = (await import(recipe.module)) as Record<string, unknown>;
  const make = module[recipe.export];
  if (typeof make !== 'function') {
    throw new VapiError(`${recipe.module} has no function export '${recipe.export}' to build a factory in a worker`, {
      code: 'VAPI_ERR_WORKER_RECIPE',
      category: 'invalid_request',
      fix: "the plugin's workerRecipe must name an exported function (options) => factory",
    });
  }
  return (make as (options: unknown) => T)(recipe.options);
}
