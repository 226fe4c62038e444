import t from 'tap';
import { endpointingWait, looksUnfinished } from '../../src/call/endpointing.js';
import { PlayedPosition } from '../../src/call/played-position.js';

t.test('unfinished transcripts wait longer', async (t) => {
  for (const text of ['I would like to book a table and', 'my number is,', '我想要', '然后', '就是那个', '', 'um', '我们明天，']) {
    t.ok(looksUnfinished(text), `unfinished: "${text}"`);
  }
  for (const text of ['Book a table for two.', 'What time is it?', '好的，谢谢。', '我要订两个人的位子', 'yes', 'Thanks!"']) {
    t.notOk(looksUnfinished(text), `finished: "${text}"`);
  }
  t.equal(endpointingWait('yes', { waitMs: 200, unfinishedWaitMs: 900 }), 200);
  t.equal(endpointingWait('and', { waitMs: 200, unfinishedWaitMs: 900 }), 900);
});

t.test('heard text: whole segments, then the played share of the cut one', async (t) => {
  const played = new PlayedPosition();
  played.beginSegment('Hello there. ');
  played.addAudio(600);
  played.addAudio(400);
  played.beginSegment('Your table is booked for seven people tonight.');
  played.addAudio(2000);
  t.equal(played.totalQueuedMs, 3000);
  t.equal(played.heardText(0), '');
  t.equal(played.heardText(1000), 'Hello there. ');
  t.equal(played.heardText(2000), 'Hello there. Your table is booked', 'half of the sentence, cut back to a word boundary');
  t.equal(played.heardText(5000), 'Hello there. Your table is booked for seven people tonight.');
  const zh = new PlayedPosition();
  zh.beginSegment('您好，欢迎致电。');
  zh.addAudio(1000);
  t.equal(zh.heardText(500), '您好，欢');
  zh.reset();
  t.equal(zh.heardText(500), '');
});
