import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { runWithNodeTest, runWithTap, type ConformanceCase } from '../src/testkit/index.js';

const ran: string[] = [];
const cases: ConformanceCase[] = [
  { name: 'a', run: async () => void ran.push('a') },
  { name: 'b', skip: 'no hook', run: async () => void ran.push('b') },
];

t.test('runWithTap and runWithNodeTest register every case, skipped ones with their reason', async (t) => {
  for (const runner of ['tap', 'node:test'] as const) {
    ran.length = 0;
    const registered: Array<[string, { skip?: string }]> = [];
    const register = async (name: string, options: { skip?: string }, fn: () => Promise<void>) => {
      registered.push([name, options]);
      if (!options.skip) await fn();
    };
    if (runner === 'tap') await runWithTap({ test: register }, cases);
    else await runWithNodeTest(register, cases);
    t.same(registered, [['a', {}], ['b', { skip: 'no hook' }]], runner);
    t.same(ran, ['a'], `${runner} ran the case that is not skipped`);
  }
});

/** Runs the node:test fixture in a child process with the TAP reporter. */
function nodeTest(env: Record<string, string>): Promise<{ code: number; out: string }> {
  const fixture = fileURLToPath(new URL('./fixtures/node-test-conformance.ts', import.meta.url));
  const cwd = fileURLToPath(new URL('../../', import.meta.url));
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', '--test-reporter=tap', fixture], { cwd, env: { ...process.env, ...env } }, (error, stdout) =>
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, out: stdout }),
    );
  });
}

t.test('under node:test, a conforming provider passes and a broken one fails', async (t) => {
  const good = await nodeTest({});
  t.equal(good.code, 0, 'exit code 0');
  t.match(good.out, /# pass 11\n# fail 0\n/);
  t.match(good.out, /ok \d+ - tool calls: .* # SKIP no toolCallRequest given/);
  const broken = await nodeTest({ BROKEN: '1' });
  t.equal(broken.code, 1, 'exit code 1');
  t.match(broken.out, /not ok \d+ - order: text-delta events, then exactly one done, last/);
  t.match(broken.out, /# fail \d+\n/);
});
