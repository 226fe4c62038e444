/** The validated server-level configuration, as plugins see it through `coreRefs.config`. */
export interface ServerConfig {
  server: {
    host: string;
    port: number;
    /** How long shutdown waits for active calls to end before hanging them up. */
    drainTimeoutMs: number;
    /** Base URL the server is reachable at from outside (for callbacks and media URLs). */
    publicUrl?: string;
  };
  log: { level: string };
  store: { driver: 'pglite' | 'postgres'; dataDir?: string; url?: string };
  bus: { driver: 'memory' | 'redis'; url?: string; prefix: string };
  auth: { enabled: boolean };
  /** Directory of the config file; plugin paths and relative files resolve against it. */
  baseDir: string;
}
