/**
 * Folds `transcript` and `response` events into a conversation: one entry per caller utterance and
 * per bot turn, interim text replaced as it firms up. Every update returns a new array (and new
 * objects for changed entries), so it can back React state or be re-rendered as is.
 */

export interface ConversationEntry {
  id: number;
  role: 'user' | 'assistant';
  text: string;
  /** false while the caller's words are an interim hypothesis, or while the bot is still speaking. */
  isFinal: boolean;
}

export class ConversationLog {
  entries: readonly ConversationEntry[] = [];
  private nextId = 1;

  /** A `transcript` event (the caller's words: interims, then the final of each utterance). */
  transcript(event: { role: string; text: string; isFinal: boolean }): readonly ConversationEntry[] {
    const role = event.role === 'assistant' ? 'assistant' : 'user';
    if (role === 'assistant') return this.response(event);
    const open = this.findOpen('user');
    if (open >= 0) return this.replace(open, { text: event.text, isFinal: event.isFinal });
    if (!event.text) return this.entries;
    return this.add('user', event.text, event.isFinal);
  }

  /** A `response` event: each sentence as the bot starts to say it, then the whole turn as heard. */
  response(event: { text: string; isFinal: boolean }): readonly ConversationEntry[] {
    const open = this.findOpen('assistant');
    if (!event.isFinal) {
      if (open >= 0) {
        const current = this.entries[open]!;
        return this.replace(open, { text: current.text ? `${current.text} ${event.text}` : event.text });
      }
      return this.add('assistant', event.text, false);
    }
    if (open >= 0) {
      // Cut before a word was heard: nothing of this turn reached the caller.
      if (!event.text) return (this.entries = this.entries.filter((_, i) => i !== open));
      return this.replace(open, { text: event.text, isFinal: true });
    }
    return event.text ? this.add('assistant', event.text, true) : this.entries;
  }

  clear(): readonly ConversationEntry[] {
    return (this.entries = []);
  }

  /** The latest entry of `role` that is not final yet, if it is the latest entry of that role. */
  private findOpen(role: ConversationEntry['role']): number {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const entry = this.entries[i]!;
      if (entry.role === role) return entry.isFinal ? -1 : i;
    }
    return -1;
  }

  private add(role: ConversationEntry['role'], text: string, isFinal: boolean): readonly ConversationEntry[] {
    return (this.entries = [...this.entries, { id: this.nextId++, role, text, isFinal }]);
  }

  private replace(index: number, change: Partial<ConversationEntry>): readonly ConversationEntry[] {
    return (this.entries = this.entries.map((entry, i) => (i === index ? { ...entry, ...change } : entry)));
  }
}
