import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pendingTask } from '../helpers/tasks.js';
import { defaultConfig } from '../../src/config/schema.js';
import { estimateTaskTokens, markerTokens, packTasks, requestBudget } from '../../src/requests/pack.js';
import { globBase, globToRegExp } from '../../src/shared/glob.js';
import type { Task } from '../../src/tasks/task.js';

const RUNS = Number(process.env.PACK_FC_RUNS ?? 300);

function task(n: number, group: string, tokens = 0, path = `src/f${n}.ts`): Task & { tokens: number } {
  return { ...pendingTask(n, path, group), tokens };
}
const byTokens = (t: Task) => (t as Task & { tokens: number }).tokens;
const ids = (packed: ReturnType<typeof packTasks>) => packed.map((p) => p.tasks.map((t) => t.id));

describe('globToRegExp / globBase', () => {
  it.each([
    ['src/**/*.ts', 'src/a.ts', true],
    ['src/**/*.ts', 'src/a/b/c.ts', true],
    ['src/**/*.ts', 'src/a.tsx', false],
    ['src/**/*.ts', 'lib/a.ts', false],
    ['**/*.ts', 'a.ts', true],
    ['**/*.ts', 'x/.hidden/a.ts', true],
    ['*.ts', 'a/b.ts', false],
    ['src/*.{ts,tsx}', 'src/a.tsx', true],
    ['src/*.{ts,tsx}', 'src/a.js', false],
    ['src/{a,b/{c,d}}/*.ts', 'src/b/d/x.ts', true],
    ['src/?.ts', 'src/ab.ts', false],
    ['src/[ab].ts', 'src/b.ts', true],
    ['src/[!ab].ts', 'src/b.ts', false],
    ['src/a.ts', 'src/a.ts', true],
    ['src/a.ts', 'src/aXts', false],
    ['docs/**', 'docs/a/b.md', true],
    ['a+b(c).ts', 'a+b(c).ts', true],
  ])('%s on %s → %s', (glob, p, expected) => {
    expect(globToRegExp(glob).test(p)).toBe(expected);
  });

  it.each([
    ['src/**/*.ts', 'src'],
    ['**/*.ts', ''],
    ['src/a/*.ts', 'src/a'],
    ['src/a/b.ts', 'src/a'],
    ['src/{a,b}/*.ts', 'src'],
    ['a.ts', ''],
  ])('base of %s is %s', (glob, base) => {
    expect(globBase(glob)).toBe(base);
  });
});

describe('estimateTaskTokens', () => {
  const packing = {
    ...defaultConfig.packing,
    defaultTaskTokens: 1000,
    estimates: [
      { match: 'test/**/*.ts', tokens: 3000 },
      { match: '**/*.ts', tokens: 2000 },
      { match: 'test/**', tokens: 9999 },
    ],
  };
  it('uses the first matching estimate, else the default, plus the section markers', () => {
    const over = (p: string) => estimateTaskTokens(task(1, '', 0, p), packing) - markerTokens(p);
    expect(over('test/a/b.ts')).toBe(3000);
    expect(over('src/a.ts')).toBe(2000);
    expect(over('test/a.md')).toBe(9999);
    expect(over('README.md')).toBe(1000);
    expect(markerTokens('src/a.ts')).toBeGreaterThan(4);
  });
});

describe('packTasks', () => {
  const opts = (maxTokens: number, safetyMargin = 0) => ({ maxTokens, safetyMargin, estimate: byTokens });

  it('budget is floor(maxTokens × (1 − safetyMargin))', () => {
    expect(requestBudget({ maxTokens: 1000, safetyMargin: 0.25 })).toBe(750);
    expect(requestBudget({ maxTokens: 999, safetyMargin: 0.1 })).toBe(899);
    // 3 × 300 = 900 > 750: two requests with a margin, one without.
    const tasks = [task(1, 'g', 300), task(2, 'g', 300), task(3, 'g', 300)];
    expect(packTasks(tasks, opts(1000, 0.25))).toHaveLength(2);
    expect(packTasks(tasks, opts(1000, 0))).toHaveLength(1);
  });

  it('nothing to pack → no request', () => {
    expect(packTasks([], opts(1000))).toEqual([]);
  });

  it('keeps a group together in a fresh request when it does not fit the current one', () => {
    const tasks = [task(1, 'A', 400), task(2, 'A', 400), task(3, 'B', 300), task(4, 'B', 300)];
    // A = 800, B = 600: B does not fit next to A (budget 1000); split it would fill the first request.
    expect(ids(packTasks(tasks, opts(1000)))).toEqual([
      ['t1', 't2'],
      ['t3', 't4'],
    ]);
  });

  it('packs small groups together and fills gaps with later groups that fit', () => {
    const tasks = [task(1, 'A', 600), task(2, 'B', 700), task(3, 'C', 300), task(4, 'D', 400)];
    const packed = packTasks(tasks, opts(1000));
    expect(ids(packed)).toEqual([
      ['t1', 't4'],
      ['t2', 't3'],
    ]);
    expect(packed.map((p) => p.expectedOutputTokens)).toEqual([1000, 1000]);
  });

  it('splits a group larger than one request over consecutive requests, in order', () => {
    const tasks = [task(1, 'big', 400), task(2, 'big', 400), task(3, 'big', 400), task(4, 'big', 400), task(5, 'big', 400)];
    expect(ids(packTasks(tasks, opts(1000)))).toEqual([['t1', 't2'], ['t3', 't4'], ['t5']]);
  });

  it('puts the remainder of a split group together with a small group when it fits', () => {
    const tasks = [task(1, 'big', 500), task(2, 'big', 500), task(3, 'big', 300), task(4, 'small', 600)];
    expect(ids(packTasks(tasks, opts(1000)))).toEqual([
      ['t1', 't2'],
      ['t3', 't4'],
    ]);
  });

  it('a task above the budget goes alone in its own request', () => {
    const tasks = [task(1, 'g', 100), task(2, 'g', 5000), task(3, 'g', 100)];
    const packed = packTasks(tasks, opts(1000));
    expect(ids(packed)).toEqual([['t1', 't3'], ['t2']]);
    expect(packed[1]!.expectedOutputTokens).toBe(5000);
  });

  it('keeps task-list order inside requests and orders requests by their first task', () => {
    const tasks = [task(1, 'A', 100), task(2, 'B', 900), task(3, 'C', 100), task(4, 'D', 900), task(5, 'E', 50)];
    const packed = packTasks(tasks, opts(1000));
    for (const p of packed) {
      const lines = p.tasks.map((t) => t.line);
      expect(lines).toEqual([...lines].sort((a, b) => a - b));
    }
    const firsts = packed.map((p) => p.tasks[0]!.line);
    expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
  });

  it('custom ids are `<first task id>-<count>`', () => {
    const tasks = [task(7, 'A', 400), task(8, 'A', 400), task(9, 'B', 900)];
    expect(packTasks(tasks, opts(1000)).map((p) => p.customId)).toEqual(['t7-2', 't9-1']);
  });

  it('fills requests well on a realistic list (many groups of varied size)', () => {
    const tasks: (Task & { tokens: number })[] = [];
    let n = 0;
    for (let g = 0; g < 120; g++) {
      const size = 1 + ((g * 7) % 9);
      for (let k = 0; k < size; k++) tasks.push(task(++n, `group ${g}`, 1500 + ((n * 2654435761) % 9000)));
    }
    const maxTokens = 128_000;
    const total = tasks.reduce((s, t) => s + t.tokens, 0);
    const packed = packTasks(tasks, opts(maxTokens, 0));
    expect(packed.length).toBeLessThanOrEqual(Math.ceil(1.2 * Math.ceil(total / maxTokens)));
    const margin = packTasks(tasks, opts(maxTokens, 0.25));
    expect(margin.length).toBeLessThanOrEqual(Math.ceil(1.2 * Math.ceil(total / requestBudget({ maxTokens, safetyMargin: 0.25 }))));
  });

  it('property: every task exactly once, valid unique ids, budget kept (oversize alone), order kept', () => {
    const arbTasks = fc
      .array(fc.record({ group: fc.integer({ min: 0, max: 5 }), tokens: fc.integer({ min: 0, max: 3000 }) }), { maxLength: 80 })
      .map((specs) => specs.map((s, i) => task(i + 1, `g${s.group}`, s.tokens)));
    fc.assert(
      fc.property(arbTasks, fc.integer({ min: 1, max: 4000 }), fc.double({ min: 0, max: 0.9, noNaN: true }), (tasks, maxTokens, safetyMargin) => {
        const packed = packTasks(tasks, { maxTokens, safetyMargin, estimate: byTokens });
        const budget = requestBudget({ maxTokens, safetyMargin });
        const seen = packed.flatMap((p) => p.tasks.map((t) => t.id));
        expect([...seen].sort()).toEqual(tasks.map((t) => t.id).sort());
        const customIds = packed.map((p) => p.customId);
        expect(new Set(customIds).size).toBe(customIds.length);
        for (const p of packed) {
          expect(p.customId).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
          expect(p.tasks.length).toBeGreaterThan(0);
          const sum = p.tasks.reduce((s, t) => s + byTokens(t), 0);
          expect(p.expectedOutputTokens).toBe(sum);
          if (sum > budget) expect(p.tasks).toHaveLength(1);
          const lines = p.tasks.map((t) => t.line);
          expect(lines).toEqual([...lines].sort((a, b) => a - b));
        }
        // A group that fits in one request is never split.
        const groupTotals = new Map<string, number>();
        for (const t of tasks) groupTotals.set(t.group, (groupTotals.get(t.group) ?? 0) + t.tokens);
        const runs: Task[][] = [];
        for (const t of tasks) {
          const last = runs.at(-1);
          if (last && last[0]!.group === t.group) last.push(t);
          else runs.push([t]);
        }
        for (const run of runs) {
          const total = run.reduce((s, t) => s + byTokens(t), 0);
          if (total <= budget) {
            const holders = new Set(run.map((t) => packed.findIndex((p) => p.tasks.includes(t))));
            expect(holders.size).toBe(1);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('property: custom ids stay valid and unique whatever the task ids', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 80 }), { minLength: 1, maxLength: 30 }), (rawIds) => {
        const tasks = rawIds.map((id, i) => ({ ...task(i + 1, `g${i}`, 10), id }));
        const packed = packTasks(tasks, { maxTokens: 15, safetyMargin: 0, estimate: byTokens });
        const customIds = packed.map((p) => p.customId);
        expect(new Set(customIds).size).toBe(customIds.length);
        for (const id of customIds) expect(id).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
      }),
      { numRuns: RUNS },
    );
  });
});
