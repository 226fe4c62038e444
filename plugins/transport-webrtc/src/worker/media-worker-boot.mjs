// Entry of a media worker thread: the sources are TypeScript, run through tsx as the main thread
// runs them (docs/adr/0001-run-typescript-sources-with-tsx.md).
import { register } from 'tsx/esm/api';

register();
await import('./media-worker.ts');
