/**
 * Sequence numbers, timestamps and marker bits of the outbound Opus RTP stream (RFC 3550 §5.1,
 * RFC 7587 §4.1, RFC 3551 §4.1).
 */
import { randomInt } from 'node:crypto';

/** RTP clock ticks per 20 ms at Opus's 48 kHz clock (always 48 kHz, RFC 7587 §4.1). */
export const TICKS_PER_FRAME = 960;
const FRAME_MS = 20;
/**
 * Frames this far apart had a pause between them. Well above one frame, so a caller whose timer
 * fires a few milliseconds late does not make the stream jump ahead of its audio.
 */
const GAP_MS = 2.5 * FRAME_MS;

export interface RtpPosition {
  sequence: number;
  timestamp: number;
  /** First packet of a talkspurt: the stream's first, or the first after a pause or silence. */
  marker: boolean;
}

/**
 * One per outbound stream. Starts at random sequence and timestamp (RFC 3550 §5.1: known initial
 * values make plaintext attacks on SRTP easier). Each frame advances the timestamp by 960; when
 * the caller sent nothing for a while (frame timestamps jump), the RTP timestamp jumps by the
 * frames skipped, so the receiver's jitter buffer sees real time, and the marker bit is set. The
 * marker is also set on the first non-silent frame after digital silence, where senders with
 * silence suppression would have paused.
 */
export class RtpClock {
  private sequence = randomInt(0x10000);
  private timestamp = randomInt(0x100000000);
  private lastFrameMs: number | undefined;
  private lastSilent = false;
  private readonly position: RtpPosition = { sequence: 0, timestamp: 0, marker: false };

  /**
   * Where the next packet goes. `frameMs` is the frame's monotonic timestamp (AudioFrame
   * timestamp); frames without one (0, or not increasing) count as back to back. The returned
   * object is reused by the next call.
   */
  next(frameMs: number, silent: boolean): RtpPosition {
    let marker = this.lastFrameMs === undefined || (this.lastSilent && !silent);
    if (this.lastFrameMs !== undefined) {
      const elapsed = frameMs - this.lastFrameMs;
      let frames = 1;
      if (elapsed > GAP_MS) {
        frames = Math.round(elapsed / FRAME_MS);
        marker = true;
      }
      this.sequence = (this.sequence + 1) & 0xffff;
      this.timestamp = (this.timestamp + frames * TICKS_PER_FRAME) >>> 0;
    }
    if (this.lastFrameMs === undefined || frameMs > this.lastFrameMs) this.lastFrameMs = frameMs;
    else this.lastFrameMs += FRAME_MS;
    this.lastSilent = silent;
    this.position.sequence = this.sequence;
    this.position.timestamp = this.timestamp;
    this.position.marker = marker;
    return this.position;
  }
}

/** True when every sample is zero (the pacer's fill, muted audio). Stops at the first sound. */
export function isDigitalSilence(samples: Int16Array): boolean {
  for (let i = 0; i < samples.length; i++) if (samples[i] !== 0) return false;
  return true;
}
