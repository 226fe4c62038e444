/**
 * What a benchmark's server process measures about itself over the measurement window: CPU, peak
 * RSS, event-loop delay and busy share, GC pauses, and the machine's busy time (to tell other load
 * on a shared machine). With `debug`, long GC pauses and event-loop stalls are listed with their
 * times. One per server process: begin() at the window's start, end() at its end.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { constants, monitorEventLoopDelay, PerformanceObserver, type EventLoopUtilization } from 'node:perf_hooks';

export interface WindowStats {
  serverCpuMs: number;
  peakRssDeltaMb: number;
  rssBeforeMb: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  loopBusy: number;
  gcCount: number;
  gcTotalMs: number;
  gcMaxMs: number;
  gcMajors: number;
  gcMajorMaxMs: number;
  /** Machine CPU over the window, ms, all cores, and the irq + softirq part (undefined off Linux). */
  machineBusyMs: number | undefined;
  machineIrqMs: number | undefined;
}

const TICK_MS = 10; // USER_HZ 100

/** Busy jiffies of the whole machine (Linux), irq + softirq apart (loopback networking). */
function machineTicks(): { busy: number; irq: number } | undefined {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    return { busy: cpu.reduce((a, b) => a + b, 0) - cpu[3]! - cpu[4]!, irq: cpu[5]! + cpu[6]! }; // all but idle and iowait
  } catch {
    return undefined;
  }
}

export class ServerWindow {
  /** With debug: long GC pauses and event-loop stalls, with their times. */
  readonly debugEvents: string[] = [];
  private readonly gc = { active: false, count: 0, totalMs: 0, maxMs: 0, majors: 0, majorMaxMs: 0 };
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 5 });
  private rssBefore = process.memoryUsage().rss;
  private peakRss = 0;
  private cpuBefore = process.cpuUsage();
  private ticksBefore: ReturnType<typeof machineTicks>;
  private elu: EventLoopUtilization | undefined;
  private sampler: NodeJS.Timeout | undefined;
  private stallTimer: NodeJS.Timeout | undefined;

  constructor(private readonly debug: boolean) {
    new PerformanceObserver((list) => {
      const gc = this.gc;
      if (!gc.active) return;
      for (const entry of list.getEntries()) {
        const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
        gc.count++;
        gc.totalMs += entry.duration;
        gc.maxMs = Math.max(gc.maxMs, entry.duration);
        if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
          gc.majors++;
          gc.majorMaxMs = Math.max(gc.majorMaxMs, entry.duration);
        }
        if (debug && entry.duration > 10) this.debugEvents.push(`gc (kind ${kind}) at ${entry.startTime.toFixed(0)} ms for ${entry.duration.toFixed(1)} ms`);
      }
    }).observe({ entryTypes: ['gc'] });
  }

  /** Collects garbage and takes the RSS baseline, before the load starts. */
  async settle(): Promise<void> {
    global.gc?.();
    await sleep(200);
    this.rssBefore = process.memoryUsage().rss;
  }

  begin(): void {
    this.cpuBefore = process.cpuUsage();
    this.ticksBefore = machineTicks();
    Object.assign(this.gc, { active: true, count: 0, totalMs: 0, maxMs: 0, majors: 0, majorMaxMs: 0 });
    this.elu = performance.eventLoopUtilization();
    this.loopDelay.enable();
    this.peakRss = this.rssBefore;
    this.sampler = setInterval(() => (this.peakRss = Math.max(this.peakRss, process.memoryUsage().rss)), 250);
    if (this.debug) {
      this.debugEvents.push(`window start at ${performance.now().toFixed(0)} ms`);
      let last = performance.now();
      this.stallTimer = setInterval(() => {
        const now = performance.now();
        if (now - last > 40) this.debugEvents.push(`event loop stalled at ${last.toFixed(0)} ms for ${(now - last).toFixed(1)} ms`);
        last = now;
      }, 5);
    }
  }

  end(): WindowStats {
    const cpu = process.cpuUsage(this.cpuBefore);
    const gc = this.gc;
    gc.active = false;
    const ticks = machineTicks();
    const before = this.ticksBefore;
    const busy = performance.eventLoopUtilization(this.elu).utilization;
    this.loopDelay.disable();
    clearInterval(this.sampler);
    clearInterval(this.stallTimer);
    return {
      serverCpuMs: Math.round((cpu.user + cpu.system) / 1000),
      peakRssDeltaMb: (this.peakRss - this.rssBefore) / 1048576,
      rssBeforeMb: Math.round(this.rssBefore / 1048576),
      // The histogram holds whole sampling intervals: the delay is what exceeds the 5 ms tick.
      loopDelayP99Ms: Math.max(0, Math.round(this.loopDelay.percentile(99) / 1e5 - 50) / 10),
      loopDelayMaxMs: Math.max(0, Math.round(this.loopDelay.max / 1e5 - 50) / 10),
      loopBusy: Math.round(busy * 100) / 100,
      gcCount: gc.count,
      gcTotalMs: Math.round(gc.totalMs),
      gcMaxMs: Math.round(gc.maxMs * 10) / 10,
      gcMajors: gc.majors,
      gcMajorMaxMs: Math.round(gc.majorMaxMs * 10) / 10,
      machineBusyMs: ticks && before ? (ticks.busy - before.busy) * TICK_MS : undefined,
      machineIrqMs: ticks && before ? (ticks.irq - before.irq) * TICK_MS : undefined,
    };
  }
}
