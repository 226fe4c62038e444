/** SampleFifo: exact frames out of uneven pushes, zero padding, bounded size. */
import t from 'tap';
import { SampleFifo } from '../src/sample-fifo.js';

const range = (from: number, n: number) => Int16Array.from({ length: n }, (_, i) => from + i);

t.test('keeps order across uneven pushes and shifts', async (t) => {
  const fifo = new SampleFifo(10);
  const out = new Int16Array(4);
  fifo.push(range(1, 3), 0, 3);
  fifo.push(range(100, 5), 2, 3); // 102, 103, 104
  t.equal(fifo.length, 6);
  t.equal(fifo.shift(out), 4);
  t.same([...out], [1, 2, 3, 102]);
  fifo.push(range(10, 6), 0, 6); // wraps: needs compaction
  t.equal(fifo.shift(out), 4);
  t.same([...out], [103, 104, 10, 11]);
  t.equal(fifo.length, 4);
});

t.test('zeros pad the front; an underrun fills with zeros', async (t) => {
  const fifo = new SampleFifo(8);
  fifo.pushZeros(2);
  fifo.push(range(1, 1), 0, 1);
  const out = new Int16Array(5).fill(9);
  t.equal(fifo.shift(out), 3);
  t.same([...out], [0, 0, 1, 0, 0]);
  t.equal(fifo.length, 0);
});

t.test('past capacity the oldest samples go', async (t) => {
  const fifo = new SampleFifo(4);
  fifo.push(range(1, 3), 0, 3);
  fifo.push(range(4, 3), 0, 3);
  t.equal(fifo.length, 4);
  const out = new Int16Array(4);
  fifo.shift(out);
  t.same([...out], [3, 4, 5, 6]);
  fifo.push(range(1, 9), 0, 9);
  fifo.shift(out);
  t.same([...out], [6, 7, 8, 9]);
  fifo.pushZeros(9);
  t.equal(fifo.length, 4);
  fifo.clear();
  t.equal(fifo.length, 0);
});
