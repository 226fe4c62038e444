/** The real clock under the testkit's name: the fakes' default, for benchmarks and real-time tests. */
export { SystemClock as RealClock } from '../system-clock.js';
