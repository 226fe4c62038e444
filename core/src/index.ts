/** Embedding API of the kernel: what the CLI uses, and what tests and benchmarks drive directly. */
export { loadConfigFile, resolveConfig, type LoadedConfig } from './config/load-config.js';
export { ConfigInvalidError, type ConfigProblem } from './config/problems.js';
export { planBoot, type BootPlan, type PlannedPlugin } from './kernel/boot-plan.js';
export { Kernel, type KernelOptions, type KernelPhase } from './kernel/kernel.js';
export { loadBuiltinCatalog, describePlugin } from './kernel/plugin-catalog.js';
export { main } from './cli.js';
