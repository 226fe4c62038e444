export type * from './resampler.js';
export type * from './mixer.js';
export type * from './jitter-buffer.js';
export type * from './pacer.js';
