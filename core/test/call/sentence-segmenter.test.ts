import t, { type Test } from 'tap';
import { SentenceSegmenter, type SentenceSegmenterOptions } from '../../src/call/sentence-segmenter.js';

/** Only the punctuation rules: no first-chunk eagerness, no merging, no length limit. */
const PLAIN: SentenceSegmenterOptions = { firstChunkMinChars: 0, minChunkChars: 0, maxChunkChars: 0 };

type Case = [name: string, text: string, chunks: string[]];

/** Chunks of `text` fed as `deltas`, with flush()'s rest as the last chunk. */
function segment(deltas: string[], options: SentenceSegmenterOptions): string[] {
  const segmenter = new SentenceSegmenter(options);
  const chunks = deltas.flatMap((delta) => segmenter.push(delta));
  const rest = segmenter.flush();
  if (rest !== undefined) chunks.push(rest);
  return chunks;
}

/** A small seeded PRNG (mulberry32), so random splits are the same on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function randomSplit(text: string, next: () => number, maxSize: number): string[] {
  const deltas: string[] = [];
  for (let i = 0; i < text.length; ) {
    const size = 1 + Math.floor(next() * maxSize);
    deltas.push(text.slice(i, i + size));
    i += size;
  }
  return deltas;
}

/** The same text whole, one UTF-16 unit at a time, cut in two at every position, and in random sizes. */
function splits(text: string): Array<[string, string[]]> {
  const all: Array<[string, string[]]> = [['whole', [text]], ['char by char', [...Array(text.length).keys()].map((i) => text[i]!)]];
  for (let i = 1; i < text.length; i++) all.push([`cut at ${i}`, [text.slice(0, i), text.slice(i)]]);
  const next = random(text.length);
  for (let r = 0; r < 20; r++) all.push([`random #${r}`, randomSplit(text, next, 1 + (r % 12))]);
  return all;
}

/** Checks the chunks of every case, and that every way of splitting the text gives the same chunks. */
function table(t: Test, cases: Case[], options: SentenceSegmenterOptions): void {
  for (const [name, text, expected] of cases) {
    t.same(segment([text], options), expected, name);
    const differing = splits(text)
      .filter(([, deltas]) => JSON.stringify(segment(deltas, options)) !== JSON.stringify(expected))
      .map(([how]) => how);
    t.same(differing, [], `${name}: same chunks however the text is split`);
  }
}

t.test('sentence ends: English, Chinese and mixed', async (t) => {
  table(
    t,
    [
      ['. ? ! before a space', 'Hello world. How are you? I am fine!', ['Hello world.', 'How are you?', 'I am fine!']],
      ['; ends a sentence too', 'First part; second part. Done', ['First part;', 'second part.', 'Done']],
      ['no split without a space after', 'Hello.World is a name!Really. Yes', ['Hello.World is a name!Really.', 'Yes']],
      ['runs of terminators stay together', 'Really?! Yes!!! What?!? Ok', ['Really?!', 'Yes!!!', 'What?!?', 'Ok']],
      ['the end of the text ends the last sentence', 'The end.', ['The end.']],
      ['Chinese 。！？； need no space', '你好。今天天气很好！你呢？我也是；谢谢', ['你好。', '今天天气很好！', '你呢？', '我也是；', '谢谢']],
      ['full-width ！？ runs stay together', '真的吗？！太好了！！好。。', ['真的吗？！', '太好了！！', '好。。']],
      ['halfwidth ｡', '好｡行', ['好｡', '行']],
      ['English punctuation right before CJK', 'OK.好的!行吗?可以;嗯', ['OK.', '好的!', '行吗?', '可以;', '嗯']],
      ['mixed sentences', '我用Node.js开发。It works great! 你觉得呢？', ['我用Node.js开发。', 'It works great!', '你觉得呢？']],
      ['an English sentence inside Chinese', '他说 Hello. 然后走了。', ['他说 Hello.', '然后走了。']],
    ],
    PLAIN,
  );
});

t.test('numbers, versions, times, URLs and emails do not split', async (t) => {
  table(
    t,
    [
      ['decimals and prices', 'Pi is 3.14. It costs ¥12.50 or $0.99. OK', ['Pi is 3.14.', 'It costs ¥12.50 or $0.99.', 'OK']],
      ['thousands separators', 'We sold 1,000 units and 1.000.000 more. Good', ['We sold 1,000 units and 1.000.000 more.', 'Good']],
      ['decimals in Chinese', '圆周率是3.14。价格是¥12.50元。', ['圆周率是3.14。', '价格是¥12.50元。']],
      ['version numbers; a version ending a sentence', 'Update to v1.2.3 now. Node 20.10.0 works. Use v1.2. It is fine', ['Update to v1.2.3 now.', 'Node 20.10.0 works.', 'Use v1.2.', 'It is fine']],
      ['times', 'Meet at 10:30. Or 9:05 tomorrow. OK', ['Meet at 10:30.', 'Or 9:05 tomorrow.', 'OK']],
      ['times in Chinese', '会议在10:30开始。好', ['会议在10:30开始。', '好']],
      ['URLs and emails', 'Visit www.example.com or https://example.com/a.html?x=1 today. Mail a.b@c.com. Bye', ['Visit www.example.com or https://example.com/a.html?x=1 today.', 'Mail a.b@c.com.', 'Bye']],
      ['a URL in Chinese', '请访问www.example.com获取帮助。谢谢', ['请访问www.example.com获取帮助。', '谢谢']],
    ],
    PLAIN,
  );
});

t.test('abbreviations, initials and ellipses', async (t) => {
  table(
    t,
    [
      ['titles', 'Mr. Smith and Mrs. Lee met Dr. Brown and Prof. Wu on St. James Road. Bye', ['Mr. Smith and Mrs. Lee met Dr. Brown and Prof. Wu on St. James Road.', 'Bye']],
      ['case-insensitive', 'MR. SMITH met DR. JONES. Then', ['MR. SMITH met DR. JONES.', 'Then']],
      ['vs. and etc.', 'Cats vs. Dogs is a film. Apples, pears etc. Are fruit. Yes', ['Cats vs. Dogs is a film.', 'Apples, pears etc. Are fruit.', 'Yes']],
      ['e.g. i.e. U.S.', 'Use it e.g. Daily, i.e. Always. The U.S. Army agrees. Ok', ['Use it e.g. Daily, i.e. Always.', 'The U.S. Army agrees.', 'Ok']],
      ['a.m. p.m.', 'Come at 9 a.m. Monday or 5 P.M. Friday. Thanks', ['Come at 9 a.m. Monday or 5 P.M. Friday.', 'Thanks']],
      ['No. before a number only', 'No. 5 is free. No. I will not. Ok', ['No. 5 is free.', 'No.', 'I will not.', 'Ok']],
      ['an abbreviation in brackets', 'Fruit (e.g. Apples) is good. Yes', ['Fruit (e.g. Apples) is good.', 'Yes']],
      ['a lowercase word after a period continues the sentence', 'It is approx. five km. Then stop', ['It is approx. five km.', 'Then stop']],
      ['initials', 'J. K. Rowling wrote it. George R. R. Martin too. Yes', ['J. K. Rowling wrote it.', 'George R. R. Martin too.', 'Yes']],
      ['initials in Chinese text', '作者是J. K. Rowling。好', ['作者是J. K. Rowling。', '好']],
      ['ellipses: lowercase continues, anything else ends', 'Well... maybe not. Wait... What? Hmm… let me see. So… Yes', ['Well... maybe not.', 'Wait...', 'What?', 'Hmm… let me see.', 'So…', 'Yes']],
      ['an ellipsis at the end', 'I wonder...', ['I wonder...']],
      ['Chinese ellipsis', '我想想……好吧。', ['我想想……', '好吧。']],
    ],
    PLAIN,
  );
});

t.test('closing quotes and brackets stay with their sentence', async (t) => {
  table(
    t,
    [
      ['English', `He said "Stop." Then left. (See above.) Next. It's 'done.' Ok`, ['He said "Stop."', 'Then left.', '(See above.)', 'Next.', "It's 'done.'", 'Ok']],
      ['nested', 'He said (quote "yes.") Ok', ['He said (quote "yes.")', 'Ok']],
      ['Chinese', '他说：“你好。”然后走了。「好的。」『再见！』（真的？）是的。', ['他说：“你好。”', '然后走了。', '「好的。」', '『再见！』', '（真的？）', '是的。']],
      ['a straight " closes only an open quote', '他说。"你好。"然后"走了！"好', ['他说。', '"你好。"', '然后"走了！"', '好']],
    ],
    PLAIN,
  );
});

t.test('line breaks and markdown', async (t) => {
  table(
    t,
    [
      ['a single line break is a space', 'Line one\nline two. Next\nline', ['Line one line two.', 'Next line']],
      ['a blank line ends a chunk (LF and CRLF)', 'Para one\n\nPara two\r\n\r\nPara three', ['Para one', 'Para two', 'Para three']],
      ['list items, bullets stripped', 'Steps:\n- Open the app\n* Tap Settings\n+ Go\n• Done', ['Steps:', 'Open the app', 'Tap Settings', 'Go', 'Done']],
      ['numbered items', 'Do this:\n1. Open it\n2) Close it\n10. Again', ['Do this:', 'Open it', 'Close it', 'Again']],
      ['Chinese numbered items', '步骤：\n1、打开设置\n2、点击网络', ['步骤：', '打开设置', '点击网络']],
      ['indented items', 'List:\n  - nested item\n    - deeper', ['List:', 'nested item', 'deeper']],
      ['headings end a chunk before and after', '# Title\nBody text. More\n## 小标题\n内容。', ['Title', 'Body text.', 'More', '小标题', '内容。']],
      ['# elsewhere is kept', '#hashtag and C# rock. ####### seven', ['#hashtag and C# rock.', '####### seven']],
      ['bold, italics and inline code', 'This is **very** *really* important. Use `npm test` now.', ['This is very really important.', 'Use npm test now.']],
      ['bold in Chinese', '这是**重点**。好', ['这是重点。', '好']],
      ['code fence lines are dropped', 'Run:\n```bash\nnpm test\n```\nDone.', ['Run:', 'npm test', 'Done.']],
      ['thematic breaks are dropped', 'Above\n---\nBelow', ['Above', 'Below']],
      ['whitespace runs collapse', '  Hello    world\t\tagain.   ', ['Hello world again.']],
      ['a number starting a line is not always an item', 'Value\n3.14 is pi\n-5 degrees', ['Value 3.14 is pi -5 degrees']],
    ],
    PLAIN,
  );
});

t.test('firstChunkMinChars: the first chunk also ends at a clause once long enough', async (t) => {
  const eager = { ...PLAIN, firstChunkMinChars: 12 };
  table(
    t,
    [
      ['only the first chunk, not before 12 characters', 'Sure, I can help you with that, it takes a minute. Then more, and more.', ['Sure, I can help you with that,', 'it takes a minute.', 'Then more, and more.']],
      ['Chinese', '好的，我来帮您查询一下今天的天气情况，请稍等。', ['好的，我来帮您查询一下今天的天气情况，', '请稍等。']],
      ['colon', 'Here is the plan for today: first we eat.', ['Here is the plan for today:', 'first we eat.']],
      ['、 and ：', '您需要准备以下材料：身份证、户口本。', ['您需要准备以下材料：身份证、', '户口本。']],
      ['em dash', 'Well, that is the answer—or close to it.', ['Well, that is the answer—', 'or close to it.']],
      ['Chinese double dash', '关于这个问题的答案嘛——其实很简单。', ['关于这个问题的答案嘛——', '其实很简单。']],
      ['1,000 and 10:30 are not clauses', 'It costs 1,000,000 yuan, which is a lot.', ['It costs 1,000,000 yuan,', 'which is a lot.']],
      ['times are not clauses', 'The meeting at 10:30 tomorrow, right?', ['The meeting at 10:30 tomorrow,', 'right?']],
      ['a sentence that ends first is the first chunk', 'Hi. Welcome aboard, my dear friend. Bye', ['Hi.', 'Welcome aboard, my dear friend.', 'Bye']],
      ['short sentences are not split', 'Yes, sure.', ['Yes, sure.']],
    ],
    eager,
  );

  const segmenter = new SentenceSegmenter(eager);
  t.same(segmenter.push('Sure, I can help you with that, ok'), ['Sure, I can help you with that,']);
  t.equal(segmenter.flush(), 'ok');
  t.same(segmenter.push('Sure, I can help you with that, ok'), ['Sure, I can help you with that,'], 'flush() starts a new response');
});

t.test('minChunkChars: tiny sentences merge with the next', async (t) => {
  table(
    t,
    [
      ['English, the last one stands alone', 'OK. I will do that. Bye.', ['OK. I will do that.', 'Bye.']],
      ['Chinese', '好的。我马上处理。嗯。', ['好的。我马上处理。', '嗯。']],
      ['a blank line still ends it', 'OK.\n\nNext one here.', ['OK.', 'Next one here.']],
    ],
    { ...PLAIN, minChunkChars: 6 },
  );
});

t.test('maxChunkChars: run-on text is split at a clause, a space, or anywhere in CJK', async (t) => {
  table(
    t,
    [
      [
        'at the last clause, then at the last space',
        'This sentence keeps going and going, with many words and no end in sight at all and more words',
        ['This sentence keeps going and going,', 'with many words and no end in sight at', 'all and more words'],
      ],
    ],
    { ...PLAIN, maxChunkChars: 40 },
  );
  table(t, [['CJK without punctuation: anywhere', '中'.repeat(25), ['中'.repeat(10), '中'.repeat(10), '中'.repeat(5)]]], { ...PLAIN, maxChunkChars: 10 });
  table(
    t,
    [
      ['a clause or space in the first half is not used', 'Hi, 中文中文中文中文中文中文', ['Hi, 中文中文中文中文中文', '中文']],
      ['mixed: at the last space, then anywhere', 'We will go 明天早上去北京然后再去上海看看朋友', ['We will go', '明天早上去北京然后再去上海看', '看朋友']],
      ['a merged short sentence is a split point', 'Ok. Fine. Then we go on and on', ['Ok. Fine.', 'Then we go on', 'and on']],
    ],
    { firstChunkMinChars: 0, minChunkChars: 12, maxChunkChars: 14 },
  );

  const emoji = segment(['😀'.repeat(9)], { ...PLAIN, maxChunkChars: 5 });
  t.same(emoji, ['😀😀', '😀😀', '😀😀', '😀😀', '😀'], 'a surrogate pair is never cut');

  const next = random(7);
  const words = ['我们', 'the', 'quick,', '天气', 'brown。', 'fox', '非常好', 'jumps!', '——', 'over'];
  const text = Array.from({ length: 400 }, () => words[Math.floor(next() * words.length)]).join(next() < 0.5 ? ' ' : '');
  for (const max of [8, 20, 57]) {
    const chunks = segment(randomSplit(text, next, 9), { maxChunkChars: max });
    const over = chunks.filter((chunk) => chunk.replace(/[\p{P}\s]+$/u, '').length > max);
    t.same(over, [], `every chunk within ${max}, but for the punctuation closing it`);
    t.equal(chunks.join('').replace(/\s/g, ''), text.replace(/\s/g, ''), 'nothing lost or added');
  }
});

t.test('defaults: eager first chunk, merged tiny sentences', async (t) => {
  t.same(segment(['Sure! I can help you with that, it only takes a moment. OK. Anything else?'], {}), [
    'Sure! I can help you with that,',
    'it only takes a moment.',
    'OK. Anything else?',
  ]);
  t.same(segment(['好的！我来帮您查一下明天的天气，请稍等。嗯。'], {}), ['好的！我来帮您查一下明天的天气，', '请稍等。嗯。']);
  const long = 'word '.repeat(100);
  t.ok(segment([long], {}).every((chunk) => chunk.length <= 150), 'chunks of at most 150 characters');
});

t.test('a chunk is returned as soon as what follows its end is known', async (t) => {
  const firstAt = (text: string) => {
    const segmenter = new SentenceSegmenter(PLAIN);
    for (let i = 0; i < text.length; i++) if (segmenter.push(text[i]!).length > 0) return text.slice(0, i + 1);
    return undefined;
  };
  t.equal(firstAt('Stop! Now'), 'Stop! ', '! needs the space after it');
  t.equal(firstAt('Hello world. How'), 'Hello world. H', '. also needs the next word (it may be lowercase)');
  t.equal(firstAt('你好。我'), '你好。我', '。 needs the next character (it may be a closing quote)');
  t.equal(firstAt('Hello world'), undefined);
});

t.test('flush() and reset()', async (t) => {
  const segmenter = new SentenceSegmenter(PLAIN);
  t.equal(segmenter.flush(), undefined, 'nothing buffered');
  t.same(segmenter.push('   '), []);
  t.equal(segmenter.flush(), undefined, 'whitespace only');
  t.same(segmenter.push('** `'), []);
  t.equal(segmenter.flush(), undefined, 'markdown only');
  t.same(segmenter.push('Hello there'), []);
  t.equal(segmenter.flush(), 'Hello there', 'an unterminated sentence');
  t.same(segmenter.push('Hello.\n- '), ['Hello.']);
  t.equal(segmenter.flush(), undefined, 'an empty list item');
  t.same(segmenter.push('Items\n12'), []);
  t.equal(segmenter.flush(), 'Items 12', 'a line start held back (a list number?) is released');
  t.same(segmenter.push('Half a sent'), []);
  segmenter.reset();
  t.same(segmenter.push('New one. Yes'), ['New one.'], 'reset() drops what was buffered');
  t.equal(segmenter.flush(), 'Yes');
});

t.test('options are checked', async (t) => {
  for (const options of [{ firstChunkMinChars: -1 }, { minChunkChars: 1.5 }, { maxChunkChars: 1 }, { maxChunkChars: Number.NaN }]) {
    t.throws(() => new SentenceSegmenter(options), { code: 'VAPI_ERR_SEGMENTER_OPTIONS', category: 'invalid_request' }, JSON.stringify(options));
  }
});

t.test('a long mixed response: same chunks however it is split, and linear time', async (t) => {
  const response = [
    '## 今天的安排\n',
    'Sure! Here is what I found, based on your calendar: you have **three** meetings.\n\n',
    '1. 上午10:30，与Dr. Wang讨论v2.1.0版本的发布……他说：“没问题。”\n',
    '2. Lunch at 12:00 p.m. with J. K. at No. 5 Main St. It costs ¥88.50, e.g. 1,000 yen.\n',
    '- Check www.example.com or mail a.b@c.com. Done?! Yes...\n',
    '```\nnpm test\n```\n',
    '这是一个很长很长的没有标点的句子用来测试最大长度的强制切分是否在中文里也能正常工作并且不会丢字',
    ' Well... that is all—bye.',
  ].join('');
  const next = random(42);
  for (const options of [PLAIN, {}, { firstChunkMinChars: 5, minChunkChars: 10, maxChunkChars: 30 }]) {
    const expected = segment([response], options);
    const differing = splits(response)
      .concat(Array.from({ length: 50 }, (_, i): [string, string[]] => [`random wide #${i}`, randomSplit(response, next, 40)]))
      .filter(([, deltas]) => JSON.stringify(segment(deltas, options)) !== JSON.stringify(expected))
      .map(([how]) => how);
    t.same(differing, [], `${JSON.stringify(options)}: ${expected.length} chunks`);
  }

  const big = response.repeat(2000); // ~500k characters
  const started = performance.now();
  const chunks = segment(randomSplit(big, next, 6), {});
  const ms = performance.now() - started;
  t.ok(chunks.length > 15000, `${chunks.length} chunks`);
  t.comment(`${big.length} characters in ${ms.toFixed(0)} ms`); // timed for real in bench:pipeline
});
