/**
 * The conversation as the LLM sees it: a system prompt, then turns. Kept to the assistant's
 * maxHistoryMessages (oldest turns go first; a tool result never loses the assistant message
 * that asked for it). After barge-in the last assistant message keeps only what was heard.
 */
import type { ChatMessage, ToolCall } from '@vapi-cn/sdk-plugin-api';

export class History {
  private readonly messages: ChatMessage[] = [];

  constructor(private maxMessages: number) {}

  setLimit(maxMessages: number): void {
    this.maxMessages = maxMessages;
    this.trim();
  }

  addUser(content: string): void {
    this.push({ role: 'user', content });
  }

  addAssistant(content: string, toolCalls?: ToolCall[]): void {
    this.push(toolCalls && toolCalls.length > 0 ? { role: 'assistant', content, toolCalls } : { role: 'assistant', content });
  }

  addToolResult(toolCallId: string, content: string): void {
    this.push({ role: 'tool', toolCallId, content });
  }

  /**
   * Barge-in: the last assistant message becomes what the caller heard. A message nobody heard
   * (and that asked for no tool) is dropped.
   */
  truncateLastAssistant(heard: string): void {
    for (let i = this.messages.length - 1; i >= 0; i--) {
      const message = this.messages[i]!;
      if (message.role !== 'assistant') continue;
      if (heard.trim() === '' && !message.toolCalls) this.messages.splice(i, 1);
      else message.content = heard;
      return;
    }
  }

  /** The messages for an LLM request, behind the (already filled) system prompt. */
  forRequest(systemPrompt: string): ChatMessage[] {
    return [{ role: 'system', content: systemPrompt }, ...this.messages];
  }

  get length(): number {
    return this.messages.length;
  }

  /** Plain transcript for reports: role and text of each user and assistant message. */
  transcript(): Array<{ role: 'user' | 'assistant'; text: string }> {
    return this.messages.flatMap((m) => (m.role === 'user' || m.role === 'assistant' ? [{ role: m.role, text: m.content }] : []));
  }

  private push(message: ChatMessage): void {
    this.messages.push(message);
    this.trim();
  }

  private trim(): void {
    while (this.messages.length > this.maxMessages) {
      this.messages.shift();
      // Never start with an orphaned tool result.
      while (this.messages[0]?.role === 'tool') this.messages.shift();
    }
  }
}
