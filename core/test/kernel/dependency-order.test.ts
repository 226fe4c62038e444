import t from 'tap';
import { createCollectionRef, createRef, definePlugin, type AnyRef } from '@vapi-cn/sdk-plugin-api';
import { orderPlugins } from '../../src/kernel/dependency-order.js';
import type { LoadedPlugin } from '../../src/kernel/plugin-loader.js';

const a = createRef<string>('t.a');
const b = createRef<string>('t.b');
const many = createCollectionRef<string>('t.many');
const core = createRef<string>('t.core');

const plugin = (id: string, provides: AnyRef[], requires: Record<string, AnyRef> = {}, optional: Record<string, AnyRef> = {}): LoadedPlugin => ({
  id,
  origin: 'path',
  entry: id,
  plugin: definePlugin({ id, version: '1.0.0', apiVersion: '^1', provides, requires, optional, setup() {} }),
});

t.test('providers come before their users; config order breaks ties', async (t) => {
  const { order, problems } = orderPlugins(
    [plugin('user', [], { a, m: many }), plugin('x', []), plugin('pa', [a]), plugin('m1', [many]), plugin('m2', [many])],
    new Set(),
  );
  t.same(problems, []);
  t.same(order.map((p) => p.id), ['x', 'pa', 'm1', 'm2', 'user']);
});

t.test('optional refs order only when present', async (t) => {
  const { order } = orderPlugins([plugin('user', [], {}, { a, b }), plugin('pa', [a])], new Set());
  t.same(order.map((p) => p.id), ['pa', 'user']);
});

t.test('core refs need no provider', async (t) => {
  const { problems } = orderPlugins([plugin('user', [], { core })], new Set([core.token]));
  t.same(problems, []);
});

t.test('a missing ref names the candidates', async (t) => {
  const { problems } = orderPlugins([plugin('user', [], { thing: a })], new Set(), () => ['provider-x']);
  t.match(problems, [{ code: 'VAPI_ERR_PLUGIN_MISSING_REF', path: 'plugins.user', message: /'t.a' \(as thing\)/, fix: /provider-x/ }]);
});

t.test('a single ref provided twice, or a core ref provided by a plugin, is refused', async (t) => {
  const { problems } = orderPlugins([plugin('p1', [a]), plugin('p2', [a]), plugin('p3', [core])], new Set([core.token]));
  t.equal(problems.filter((p) => p.code === 'VAPI_ERR_PLUGIN_DUPLICATE_PROVIDER').length, 2);
});

t.test('cycles are reported with their path', async (t) => {
  const { order, problems } = orderPlugins([plugin('x', [a], { b }), plugin('y', [b], { a }), plugin('z', [])], new Set());
  t.same(order, []);
  t.match(problems, [{ code: 'VAPI_ERR_PLUGIN_CYCLE', message: /x → y → x/ }]);
});
