/**
 * Assembles streamed tool calls from `delta.tool_calls` fragments, whichever way the vendor
 * chunks them (protocols.md §3.3): fragmented by `index` (OpenAI), the whole call in one delta,
 * `id` repeated on every delta, a fresh `id` on every delta (reported for Kimi), and parallel
 * calls with different indexes.
 */
import { randomUUID } from 'node:crypto';
import type { ToolCall } from '@vapi-cn/sdk-plugin-api';

/** One element of `delta.tool_calls` as vendors send it; every field may be missing. */
export interface ToolCallDelta {
  index?: number;
  id?: string | null;
  type?: string | null;
  function?: { name?: string | null; arguments?: string | null } | null;
}

interface PartialCall {
  id: string | undefined;
  name: string;
  arguments: string;
}

/** Collects the tool-call fragments of one answer until it finishes. */
export class ToolCallAssembler {
  // Keyed by `index`: it is the one field every chunking style keeps stable (ids may repeat or
  // change per delta), so a call's first id is the one kept.
  private readonly calls = new Map<number, PartialCall>();
  private lastKey = -1;

  /** Adds one fragment. */
  add(delta: ToolCallDelta): void {
    const key = this.keyOf(delta);
    let call = this.calls.get(key);
    if (!call) {
      call = { id: undefined, name: '', arguments: '' };
      this.calls.set(key, call);
    }
    this.lastKey = key;
    if (call.id === undefined && delta.id) call.id = delta.id;
    const fn = delta.function;
    // Some vendors repeat the name on every delta: keep the first rather than concatenating.
    if (call.name === '' && fn?.name) call.name = fn.name;
    if (fn?.arguments) call.arguments += fn.arguments;
  }

  /**
   * Returns the assembled calls in index order and forgets them. Arguments are passed on raw,
   * even when they are not valid JSON: the engine validates them against the tool's schema.
   */
  take(): ToolCall[] {
    const calls = [...this.calls].sort(([a], [b]) => a - b).map(([, call]) => ({
      // A call needs an id for its result to be sent back; a few servers omit it.
      id: call.id ?? `call_${randomUUID()}`,
      name: call.name,
      arguments: call.arguments,
    }));
    this.calls.clear();
    this.lastKey = -1;
    return calls;
  }

  // Without an index (non-conforming servers), a known id names its call, a new id starts the
  // next call, and a fragment with neither continues the latest call.
  private keyOf(delta: ToolCallDelta): number {
    if (typeof delta.index === 'number') return delta.index;
    if (delta.id) {
      for (const [key, call] of this.calls) if (call.id === delta.id) return key;
      return this.calls.size === 0 ? 0 : Math.max(...this.calls.keys()) + 1;
    }
    return this.lastKey === -1 ? 0 : this.lastKey;
  }
}
