/**
 * Endpointing: how long to wait after the caller stops speaking before the bot answers. Too short
 * and the bot talks over a caller who paused mid-thought; too long and the bot feels slow. The
 * wait is short when the transcript looks finished and longer when it looks unfinished: it ends
 * in a conjunction or filler ("and", "but", "然后", "就是", "嗯"), a comma, or has no words yet.
 */

export interface EndpointingSettings {
  /** Wait after speech ends when the transcript looks finished. */
  waitMs: number;
  /** Wait when it looks unfinished. */
  unfinishedWaitMs: number;
}

export const ENDPOINTING_DEFAULTS: EndpointingSettings = { waitMs: 300, unfinishedWaitMs: 1200 };

// Words after which a speaker usually goes on. English by whole word, Chinese by suffix.
const UNFINISHED_EN = new Set(['and', 'but', 'or', 'so', 'because', 'if', 'then', 'the', 'a', 'an', 'to', 'of', 'with', 'um', 'uh', 'er', 'like', 'my', 'your', 'is', 'are', 'i']);
const UNFINISHED_ZH = ['然后', '还有', '就是', '那个', '这个', '因为', '所以', '但是', '而且', '或者', '如果', '嗯', '呃', '啊', '我想', '想要', '我要', '的话'];
const TRAILING_PUNCTUATION = /[\s"'”’」』）)]+$/;

/** True when the caller has probably not finished their thought. */
export function looksUnfinished(transcript: string): boolean {
  const text = transcript.replace(TRAILING_PUNCTUATION, '');
  if (!text) return true;
  if (/[,，、:：;；—-]$/.test(text)) return true;
  if (/[.!?。！？]$/.test(text)) return false;
  const lastWord = /([A-Za-z']+)$/.exec(text)?.[1]?.toLowerCase();
  if (lastWord) return UNFINISHED_EN.has(lastWord);
  return UNFINISHED_ZH.some((marker) => text.endsWith(marker));
}

/** Milliseconds to wait after speech-end before taking `transcript` as the caller's turn. */
export function endpointingWait(transcript: string, settings: EndpointingSettings = ENDPOINTING_DEFAULTS): number {
  return looksUnfinished(transcript) ? settings.unfinishedWaitMs : settings.waitMs;
}
