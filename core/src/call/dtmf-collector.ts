/**
 * Gathers the caller's keys into one input: it ends at the terminator (not part of it), at
 * `maxDigits`, or when no key follows within the inter-digit timeout. A menu can end it sooner:
 * at once when the keys choose an option no longer one starts with, or when no option starts
 * with them (so "press 1" acts on the 1, and a wrong key is answered at once).
 */
import type { Clock, DtmfDigit, TimerHandle } from '@vapi-cn/sdk-plugin-api';

export interface DtmfRules {
  /** '' for none. */
  terminator: string;
  maxDigits: number;
  interDigitTimeoutMs: number;
  /** The menu's key sequences, when a menu decides. */
  choices?: readonly string[];
}

export class DtmfCollector {
  private digits = '';
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    /** An input is complete. */
    private readonly onInput: (digits: string) => void,
  ) {}

  /** Keys gathered so far. */
  get pending(): string {
    return this.digits;
  }

  push(digit: DtmfDigit, rules: DtmfRules): void {
    this.stopTimer();
    const candidate = this.digits + digit;
    const choices = rules.choices;
    if (choices && choices.includes(candidate) && !choices.some((c) => c.length > candidate.length && c.startsWith(candidate))) return this.complete(candidate);
    // A terminator alone is an input of its own: the key is not lost.
    if (digit === rules.terminator) return this.complete(this.digits || digit);
    if (choices && !choices.some((c) => c.startsWith(candidate))) return this.complete(candidate);
    this.digits = candidate;
    if (candidate.length >= rules.maxDigits) return this.complete(candidate);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.complete(this.digits);
    }, rules.interDigitTimeoutMs);
  }

  /** Drops keys gathered so far (the call ends). */
  close(): void {
    this.stopTimer();
    this.digits = '';
  }

  private complete(digits: string): void {
    this.digits = '';
    if (digits) this.onInput(digits);
  }

  private stopTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
