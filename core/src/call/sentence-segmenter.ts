/**
 * SentenceSegmenter: turns the text deltas of one LLM response into speakable chunks for streaming
 * TTS, so the first sentence is synthesized while the model is still writing the rest.
 *
 * Chunks are a function of the whole text only: feeding it in one delta, one character at a time
 * or in any other split gives the same chunks. Wherever a decision needs characters that have not
 * arrived yet (is this "." followed by a space? is this line a list item?) the segmenter waits for
 * them instead of guessing; flush() settles what is left at the end of the response.
 *
 * Where it splits (after the punctuation and any closing quotes/brackets right after it):
 * - Chinese 。｡！？； and … end a sentence wherever they are; runs (？！, ……) stay together.
 * - English . ! ? ; end a sentence when followed by whitespace, a line break, the end or a CJK
 *   character. So 3.14, ¥12.50, 1.000, v1.2.3, www.example.com and a.b@c.com never split.
 * - A period or ellipsis ("...", "…") followed by a lowercase word does not end the sentence
 *   ("Well... maybe", "approx. five"). A period does not end it after an abbreviation
 *   (ABBREVIATIONS, case-insensitive), after dotted letters (e.g. i.e. U.S. a.m. p.m.), after a
 *   single capital (J. K. Rowling), or after "No" before a number ("No. 5"; "No. I won't" splits).
 * - A closing quote or bracket right after the punctuation (” ’ 」 』 ） ) ] 】 》 〉 » and ')
 *   stays with the sentence; a straight " only when it closes an open quote (odd count so far).
 * - Clause boundaries: ，、： anywhere, , and : before whitespace or CJK (so 1,000 and 10:30 do
 *   not count), and em-dash runs (—, ——). They are used for the first chunk and for overlong ones.
 *
 * Markdown is removed before segmenting, exactly this:
 * - every `*` and every backtick (bold, italics, inline code);
 * - at the start of a line (after any indentation): a heading marker (1 to 6 `#` and a space), a
 *   list marker (`-`, `+`, `*` or `•` and a space; 1 to 3 digits and `.` or `)` and a space; 1 to 3
 *   digits and `、`), and whole lines starting with ``` (code fences, with their language tag)
 *   or with `---` (thematic breaks).
 * Not removed: `_`, links, `>` quotes, tables, HTML.
 *
 * Lines: a blank line, a heading, a list item or a code fence ends the chunk before it, and a
 * heading also ends the chunk at the end of its line; any other line break is a space. Runs of
 * whitespace become one space, and chunks are trimmed.
 */
import { VapiError } from '@vapi-cn/sdk-plugin-api';

export interface SentenceSegmenterOptions {
  /**
   * While the first chunk of a response is still buffered, a clause boundary also ends it once it
   * holds at least this many characters, so the first TTS request goes out early. 0 turns it off.
   * Default 12.
   */
  firstChunkMinChars?: number;
  /**
   * A sentence shorter than this ("OK.", "好的。") is merged with the next one, unless it is the
   * last of the response or a line break ends it. 0 turns it off. Default 6.
   */
  minChunkChars?: number;
  /**
   * A chunk reaching this many characters is split at its last clause boundary, else its last
   * space, else (CJK, or one endless token) right there, so a run-on sentence cannot hold back
   * audio. Clause or space are used only when they keep at least half the limit. Punctuation
   * closing a chunk (。」, ——) stays with it even past the limit. 0 (no limit) or at least 2.
   * Default 150.
   */
  maxChunkChars?: number;
}

/** Words whose trailing period is not a sentence end (compared lower-case, without the period). */
export const ABBREVIATIONS: ReadonlySet<string> = new Set(['mr', 'mrs', 'ms', 'dr', 'prof', 'st', 'jr', 'sr', 'vs', 'etc']);

export class SentenceSegmenter {
  private readonly firstChunkMinChars: number;
  private readonly minChunkChars: number;
  private readonly maxChunkChars: number;
  private readonly markdown = new MarkdownFilter();
  /** Filtered text; [start, pos) is scanned and not yet emitted, [pos, end) is not scanned. */
  private buf = '';
  private start = 0;
  private pos = 0;
  /** Last clause (or merged short sentence) end and last space in the current chunk, -1 if none. */
  private lastBreak = -1;
  private lastSpace = -1;
  /** Straight double quotes scanned so far: an odd count means one is open. */
  private quotes = 0;
  private firstChunk = true;

  constructor(options: SentenceSegmenterOptions = {}) {
    this.firstChunkMinChars = checkOption('firstChunkMinChars', options.firstChunkMinChars ?? 12, 0);
    this.minChunkChars = checkOption('minChunkChars', options.minChunkChars ?? 6, 0);
    this.maxChunkChars = checkOption('maxChunkChars', options.maxChunkChars ?? 150, 2);
  }

  /** Adds the next text delta; returns the chunks it completed (often none). */
  push(delta: string): string[] {
    const chunks: string[] = [];
    this.buf += this.markdown.filter(delta);
    this.scan(chunks);
    // Drop emitted text once per push, so a long response is never copied per chunk.
    if (this.start > 0) {
      this.buf = this.buf.slice(this.start);
      this.pos -= this.start;
      this.lastBreak -= this.start;
      this.lastSpace -= this.start;
      this.start = 0;
    }
    return chunks;
  }

  /**
   * Ends the response: returns everything left as one last chunk (undefined if nothing) and
   * resets. It is usually one sentence; text held back at a line start joins it ("Items\n12").
   */
  flush(): string | undefined {
    const rest = (this.buf.slice(this.start) + this.markdown.end()).trim();
    this.reset();
    return rest === '' ? undefined : rest;
  }

  /** Discards everything buffered (barge-in) and starts a new response. */
  reset(): void {
    this.markdown.reset();
    this.buf = '';
    this.start = this.pos = this.quotes = 0;
    this.lastBreak = this.lastSpace = -1;
    this.firstChunk = true;
  }

  private scan(chunks: string[]): void {
    const buf = this.buf;
    while (this.pos < buf.length) {
      const pos = this.pos;
      if (this.maxChunkChars > 0 && pos - this.start >= this.maxChunkChars) {
        this.forceSplit(chunks);
        continue;
      }
      const c = buf.charCodeAt(pos);
      if (c === NEWLINE) {
        this.emit(chunks, pos);
        this.start = this.pos = pos + 1;
        continue;
      }
      if (isSpace(c)) {
        if (pos === this.start) this.start++;
        else this.lastSpace = pos;
        this.pos++;
        continue;
      }
      const sentence = isTerminator(c);
      if (!sentence && !isClausePunctuation(c)) {
        if (c === QUOTE) this.quotes++;
        this.pos++;
        continue;
      }
      const end = sentence ? this.sentenceEnd(pos) : this.clauseEnd(pos, c);
      if (end === NEED_MORE) return;
      if (end === NO_BREAK) {
        this.pos++;
        continue;
      }
      for (let i = pos; i < end; i++) if (buf.charCodeAt(i) === QUOTE) this.quotes++;
      const length = end - this.start;
      const emit = sentence
        ? length >= this.minChunkChars
        : this.firstChunk && this.firstChunkMinChars > 0 && length >= this.firstChunkMinChars;
      if (emit) this.emit(chunks, end);
      else this.lastBreak = end;
      this.pos = end;
    }
  }

  /** Where the sentence ending with the punctuation at `i` ends, NO_BREAK or NEED_MORE. */
  private sentenceEnd(i: number): number {
    const buf = this.buf;
    let j = i;
    let dots = 0;
    let strong = false;
    let cjk = false;
    let ellipsis = false;
    for (; j < buf.length; j++) {
      const c = buf.charCodeAt(j);
      if (c === DOT) dots++;
      else if (c === ELLIPSIS) ellipsis = true;
      else if (isCjkTerminator(c)) strong = cjk = true;
      else if (c === EXCLAMATION || c === QUESTION || c === SEMICOLON) strong = true;
      else break;
    }
    const k = this.skipClosers(j);
    if (k === NEED_MORE) return NEED_MORE;
    if (cjk) return k;
    const next = buf.charCodeAt(k);
    const separated = isSpace(next) || next === NEWLINE || isCjk(next);
    if (strong) return separated ? k : NO_BREAK;
    ellipsis ||= dots > 1;
    if (!separated && !ellipsis) return NO_BREAK;
    let m = k;
    while (m < buf.length && isSpace(buf.charCodeAt(m))) m++;
    if (m === buf.length) return NEED_MORE;
    const after = buf[m]!;
    if (isLowerCase(after)) return NO_BREAK;
    if (!ellipsis && this.isAbbreviation(i, after)) return NO_BREAK;
    return k;
  }

  /** Where the clause ending with the punctuation `c` at `i` ends, NO_BREAK or NEED_MORE. */
  private clauseEnd(i: number, c: number): number {
    const buf = this.buf;
    let j = i + 1;
    if (c === EM_DASH) while (j < buf.length && buf.charCodeAt(j) === EM_DASH) j++;
    const k = this.skipClosers(j);
    if (k === NEED_MORE || (c !== COMMA && c !== COLON)) return k;
    const next = buf.charCodeAt(k);
    return isSpace(next) || next === NEWLINE || isCjk(next) ? k : NO_BREAK;
  }

  /** Index after the closing quotes/brackets at `j`, or NEED_MORE if they may go on. */
  private skipClosers(j: number): number {
    const buf = this.buf;
    let open = this.quotes % 2 === 1;
    for (; j < buf.length; j++) {
      const c = buf.charCodeAt(j);
      if (c === QUOTE && open) open = false;
      else if (!isCloser(c)) return j;
    }
    return NEED_MORE;
  }

  /** Whether the word before the period at `dot` is an abbreviation or an initial. */
  private isAbbreviation(dot: number, after: string): boolean {
    const buf = this.buf;
    let b = dot;
    while (b > this.start && !isWordBreak(buf.charCodeAt(b - 1))) {
      if (dot - b >= MAX_ABBREVIATION) return false;
      b--;
    }
    while (b < dot && isOpener(buf.charCodeAt(b))) b++;
    const word = buf.slice(b, dot);
    if (word.length === 1 && isUpperCase(word)) return true;
    const lower = word.toLowerCase();
    if (lower === 'no') return after >= '0' && after <= '9';
    return ABBREVIATIONS.has(lower) || DOTTED_LETTERS.test(lower);
  }

  /** Splits an overlong chunk (see maxChunkChars). */
  private forceSplit(chunks: string[]): void {
    const half = this.maxChunkChars / 2;
    if (this.lastBreak - this.start >= half) {
      this.emit(chunks, this.lastBreak);
    } else if (this.lastSpace - this.start >= half) {
      this.emit(chunks, this.lastSpace);
    } else {
      // Never cut a surrogate pair in half.
      const cut = isHighSurrogate(this.buf.charCodeAt(this.pos - 1)) ? this.pos - 1 : this.pos;
      this.emit(chunks, cut);
    }
  }

  private emit(chunks: string[], end: number): void {
    const text = this.buf.slice(this.start, end).trim();
    if (text !== '') {
      chunks.push(text);
      this.firstChunk = false;
    }
    // A forced split leaves scanned text behind: its leading space does not count.
    this.start = end;
    while (this.start < this.pos && isSpace(this.buf.charCodeAt(this.start))) this.start++;
  }
}

function checkOption(name: string, value: number, min: number): number {
  if (Number.isInteger(value) && (value === 0 || value >= min)) return value;
  throw new VapiError(`SentenceSegmenter: ${name} must be 0 or an integer >= ${Math.max(min, 1)}, got ${value}`, {
    code: 'VAPI_ERR_SEGMENTER_OPTIONS',
    category: 'invalid_request',
    fix: `set ${name} to 0 (off) or a whole number of characters`,
  });
}

/**
 * Strips markdown that must not be spoken and reduces line structure to what the segmenter needs:
 * a NEWLINE in its output is a hard chunk boundary, any other line break becomes a space. It is a
 * per-character state machine, so its output does not depend on how the text is split.
 */
class MarkdownFilter {
  private atLineStart = true;
  /** Start of the line held back until it is known whether it is a marker. */
  private held = '';
  /** A line break seen that becomes a space if the next line is ordinary text. */
  private softBreak = false;
  private inHeading = false;
  private skippingLine = false;
  private last = LAST_NONE;

  filter(delta: string): string {
    let out = '';
    for (let i = 0; i < delta.length; i++) out += this.char(delta[i]!);
    return out;
  }

  /** Releases what is held at the end of the response. */
  end(): string {
    const held = this.held;
    this.held = '';
    this.atLineStart = false;
    return this.release(held);
  }

  reset(): void {
    this.atLineStart = true;
    this.held = '';
    this.softBreak = this.inHeading = this.skippingLine = false;
    this.last = LAST_NONE;
  }

  private char(ch: string): string {
    const c = ch.charCodeAt(0);
    if (this.skippingLine) {
      if (c === NEWLINE) this.skippingLine = !(this.atLineStart = true);
      return '';
    }
    if (!this.atLineStart) return this.inline(ch, c);
    if (this.held === '' && isSpace(c)) return ''; // indentation
    if (this.held === '' && c === NEWLINE) return this.hardBreak(); // blank line
    const held = this.held + ch;
    const kind = lineStartKind(held);
    if (kind === 'prefix') {
      this.held = held;
      return '';
    }
    this.held = '';
    this.atLineStart = false;
    if (kind === 'text') return this.release(held);
    this.inHeading = kind === 'heading';
    this.skippingLine = kind === 'skip';
    return this.hardBreak();
  }

  private release(text: string): string {
    let out = this.softBreak && text !== '' ? this.space() : '';
    this.softBreak = false;
    for (let i = 0; i < text.length; i++) out += this.inline(text[i]!, text.charCodeAt(i));
    return out;
  }

  private inline(ch: string, c: number): string {
    if (c === STAR || c === BACKTICK) return '';
    if (c === NEWLINE) {
      this.atLineStart = true;
      if (this.inHeading) {
        this.inHeading = false;
        return this.hardBreak();
      }
      this.softBreak = true;
      return '';
    }
    if (isSpace(c)) return this.space();
    this.last = LAST_TEXT;
    return ch;
  }

  private space(): string {
    if (this.last !== LAST_TEXT) return '';
    this.last = LAST_SPACE;
    return ' ';
  }

  private hardBreak(): string {
    this.softBreak = false;
    if (this.last === LAST_NONE || this.last === LAST_BREAK) return '';
    this.last = LAST_BREAK;
    return '\n';
  }
}

/** What a line starting with `held` (indentation removed) is, or 'prefix' if that is not known yet. */
function lineStartKind(held: string): 'prefix' | 'heading' | 'item' | 'skip' | 'text' {
  if (/^(#{1,6}|[-*+•]|\d{1,3}[.)]?|`{1,2}|--)$/.test(held)) return 'prefix';
  if (/^#{1,6}[ \t]$/.test(held)) return 'heading';
  if (/^([-*+•]|\d{1,3}[.)])[ \t]$|^\d{1,3}、$/.test(held)) return 'item';
  if (held === '```' || held === '---') return 'skip';
  return 'text';
}

const NEED_MORE = -1;
const NO_BREAK = -2;
/** Longest word looked at for an abbreviation (u.s.a, prof); longer words are not abbreviations. */
const MAX_ABBREVIATION = 8;
const DOTTED_LETTERS = /^(\p{L}\.)+\p{L}$/u;

const LAST_NONE = 0;
const LAST_TEXT = 1;
const LAST_SPACE = 2;
const LAST_BREAK = 3;

const NEWLINE = 0x0a;
const DOT = 0x2e;
const EXCLAMATION = 0x21;
const QUESTION = 0x3f;
const SEMICOLON = 0x3b;
const COMMA = 0x2c;
const COLON = 0x3a;
const QUOTE = 0x22;
const STAR = 0x2a;
const BACKTICK = 0x60;
const ELLIPSIS = 0x2026;
const EM_DASH = 0x2014;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0b || c === 0x0c || c === 0xa0 || c === 0x3000;
}

/** Ideographs, kana and hangul: scripts written without spaces between sentences. */
function isCjk(c: number): boolean {
  return (
    (c >= 0x4e00 && c <= 0x9fff) ||
    (c >= 0x3400 && c <= 0x4dbf) ||
    (c >= 0x3040 && c <= 0x30ff) ||
    (c >= 0xac00 && c <= 0xd7af) ||
    (c >= 0xf900 && c <= 0xfaff)
  );
}

function isTerminator(c: number): boolean {
  return c === DOT || c === EXCLAMATION || c === QUESTION || c === SEMICOLON || c === ELLIPSIS || isCjkTerminator(c);
}

/** 。｡！？； */
function isCjkTerminator(c: number): boolean {
  return c === 0x3002 || c === 0xff61 || c === 0xff01 || c === 0xff1f || c === 0xff1b;
}

/** ，、： and em dash always; , and : only before whitespace or CJK (checked by the caller). */
function isClausePunctuation(c: number): boolean {
  return c === 0xff0c || c === 0x3001 || c === 0xff1a || c === EM_DASH || c === COMMA || c === COLON;
}

/** ” ’ 」 』 ） ) ] 】 》 〉 » ' (the straight " is decided by the caller). */
function isCloser(c: number): boolean {
  return (
    c === 0x201d || c === 0x2019 || c === 0x300d || c === 0x300f || c === 0xff09 || c === 0x29 ||
    c === 0x5d || c === 0x3011 || c === 0x300b || c === 0x3009 || c === 0xbb || c === 0x27
  );
}

/** “ ‘ 「 『 （ ( [ 【 《 〈 « " ' */
function isOpener(c: number): boolean {
  return (
    c === 0x201c || c === 0x2018 || c === 0x300c || c === 0x300e || c === 0xff08 || c === 0x28 ||
    c === 0x5b || c === 0x3010 || c === 0x300a || c === 0x3008 || c === 0xab || c === QUOTE || c === 0x27
  );
}

function isWordBreak(c: number): boolean {
  return isSpace(c) || c === NEWLINE || isCjk(c);
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowerCase(ch: string): boolean {
  return ch !== ch.toUpperCase() && ch === ch.toLowerCase();
}

function isUpperCase(ch: string): boolean {
  return ch !== ch.toLowerCase() && ch === ch.toUpperCase();
}
