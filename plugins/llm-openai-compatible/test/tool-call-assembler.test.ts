import t from 'tap';
import { ToolCallAssembler, type ToolCallDelta } from '../src/tool-call-assembler.js';

const ARGS = '{"city":"北京"}';
const assemble = (deltas: ToolCallDelta[]) => {
  const assembler = new ToolCallAssembler();
  for (const delta of deltas) assembler.add(delta);
  return assembler.take();
};

t.test('canonical: id and name first, argument fragments by index', async (t) => {
  t.same(
    assemble([
      { index: 0, id: 'call_1', type: 'function', function: { name: 'weather', arguments: '' } },
      { index: 0, function: { arguments: '{"city"' } },
      { index: 0, function: { arguments: ':"北京"}' } },
    ]),
    [{ id: 'call_1', name: 'weather', arguments: ARGS }],
  );
});

t.test('the whole call in one delta', async (t) => {
  t.same(assemble([{ index: 0, id: 'call_1', type: 'function', function: { name: 'weather', arguments: ARGS } }]), [{ id: 'call_1', name: 'weather', arguments: ARGS }]);
});

t.test('id (and name) repeated on every delta', async (t) => {
  t.same(
    assemble([
      { index: 0, id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city"' } },
      { index: 0, id: 'call_1', type: 'function', function: { name: 'weather', arguments: ':"北京"}' } },
    ]),
    [{ id: 'call_1', name: 'weather', arguments: ARGS }],
  );
});

t.test('a fresh id on every delta (Kimi): the index is the key and the first id is kept', async (t) => {
  t.same(
    assemble([
      { index: 0, id: 'weather:0', type: 'function', function: { name: 'weather', arguments: '' } },
      { index: 0, id: 'weather:1', function: { arguments: '{"city"' } },
      { index: 0, id: 'weather:2', function: { arguments: ':"北京"}' } },
    ]),
    [{ id: 'weather:0', name: 'weather', arguments: ARGS }],
  );
});

t.test('parallel calls, even interleaved, come out in index order', async (t) => {
  t.same(
    assemble([
      { index: 1, id: 'call_b', function: { name: 'time', arguments: '' } },
      { index: 0, id: 'call_a', function: { name: 'weather', arguments: '{"city"' } },
      { index: 1, function: { arguments: '{}' } },
      { index: 0, function: { arguments: ':"北京"}' } },
    ]),
    [
      { id: 'call_a', name: 'weather', arguments: ARGS },
      { id: 'call_b', name: 'time', arguments: '{}' },
    ],
  );
});

t.test('without an index: a new id starts a call, no id continues the last one', async (t) => {
  t.same(
    assemble([
      { id: 'call_a', function: { name: 'weather', arguments: '{"city"' } },
      { function: { arguments: ':"北京"}' } },
      { id: 'call_b', function: { name: 'time', arguments: '{}' } },
      { id: 'call_a', function: { arguments: '' } },
    ]),
    [
      { id: 'call_a', name: 'weather', arguments: ARGS },
      { id: 'call_b', name: 'time', arguments: '{}' },
    ],
  );
});

t.test('invalid JSON arguments pass through raw; a missing id is generated; take() empties', async (t) => {
  const assembler = new ToolCallAssembler();
  assembler.add({ index: 0, function: { name: 'weather', arguments: '{"city": 北京' } });
  const [call] = assembler.take();
  t.equal(call!.arguments, '{"city": 北京');
  t.match(call!.id, /^call_[0-9a-f-]{36}$/);
  t.same(assembler.take(), []);
});
