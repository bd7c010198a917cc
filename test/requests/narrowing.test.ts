/**
 * One bad task must not sink its request: a request refused as `invalid_request_error` is split
 * (its tasks' next requests hold at most half as many) until the bad task stands alone. The
 * decision (task-history.ts) and the packing that honours it (pack.ts), and the two together.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pendingTask } from '../helpers/tasks.js';
import { applyCollected, splitRefused, taskFollowUps, type TaskFollowUp } from '../../src/pipeline/task-history.js';
import { packTasks } from '../../src/requests/pack.js';
import { foldJournal, type CollectedEvent, type JournalEvent, type RetryRecord, type TaskChangeRecord } from '../../src/state/journal.js';
import type { Task } from '../../src/tasks/task.js';
import { zeroUsage } from '../../src/cost/usage.js';

const task = (n: number, group = 'G'): Task => pendingTask(n, `src/f${n}.ts`, group);
const ids = (packed: ReturnType<typeof packTasks>) => packed.map((p) => p.tasks.map((t) => t.id));
const opts = (caps: Record<string, number> = {}, estimate = 100) => ({
  maxTokens: 100_000,
  safetyMargin: 0,
  estimate: () => estimate,
  maxTasks: (t: Task) => caps[t.path],
});

function collected(taskChanges: Record<string, TaskChangeRecord>, retry?: Record<string, RetryRecord>): CollectedEvent {
  return {
    type: 'collected',
    at: 'x',
    batchId: 'b',
    files: [],
    taskChanges,
    usage: zeroUsage(),
    costUsd: 0,
    counts: {},
    report: [],
    ...(retry ? { retry } : {}),
  };
}

describe('splitRefused: the decision on a request refused as invalid', () => {
  it('several tasks: each one next goes in a request of at most half as many (rounded up)', () => {
    const six = ['a', 'b', 'c', 'd', 'e', 'f'];
    expect(splitRefused(six)?.maxTasks).toBe(3);
    expect(Object.fromEntries(splitRefused(six)!.retry)).toEqual(Object.fromEntries(six.map((p) => [p, { maxTasks: 3 }])));
    expect(splitRefused(['a', 'b', 'c'])?.maxTasks).toBe(2);
    expect(splitRefused(['a', 'b'])?.maxTasks).toBe(1);
  });

  it('one task: no split, the task is the bad one', () => {
    expect(splitRefused(['a'])).toBeNull();
  });
});

describe('task follow-ups from the journal', () => {
  it('a cap holds while the task is pending (across an expired batch, a retry), and ends when it is done or failed', () => {
    const state = new Map<string, TaskFollowUp>();
    applyCollected(state, collected({ a: { status: 'pending' }, b: { status: 'pending' } }, { a: { maxTasks: 3 }, b: { maxTasks: 3 } }));
    expect(state.get('a')).toEqual({ maxTasks: 3 });
    applyCollected(state, collected({ a: { status: 'pending' } })); // expired: not processed
    applyCollected(state, collected({ a: { status: 'pending', attempts: 1 } })); // overloaded: retried
    expect(state.get('a')).toEqual({ maxTasks: 3 });
    applyCollected(state, collected({ a: { status: 'pending' } }, { a: { maxTasks: 2 } }));
    expect(state.get('a')).toEqual({ maxTasks: 2 });
    applyCollected(state, collected({ a: { status: 'done', attempts: 1 }, b: { status: 'failed', attempts: 1 } }));
    expect(state.has('a')).toBe(false);
    expect(state.has('b')).toBe(false);
  });

  it('an ambiguous answer is remembered for the next request only: kept while not processed, gone once an answer is', () => {
    const state = new Map<string, TaskFollowUp>();
    applyCollected(state, collected({ a: { status: 'pending', attempts: 1 } }, { a: { ambiguous: true } }));
    expect(state.get('a')).toEqual({ ambiguous: true });
    applyCollected(state, collected({ a: { status: 'pending' } }, { a: { maxTasks: 1 } })); // its request split: not processed
    expect(state.get('a')).toEqual({ maxTasks: 1, ambiguous: true });
    applyCollected(state, collected({ a: { status: 'pending', attempts: 2 } })); // answered, cut at max_tokens
    expect(state.get('a')).toEqual({ maxTasks: 1 });
  });

  it('reads the collected events of a journal in order', () => {
    const events: JournalEvent[] = [
      collected({ a: { status: 'pending' } }, { a: { maxTasks: 4 } }),
      collected({ a: { status: 'pending' } }, { a: { maxTasks: 2 } }),
    ];
    expect(taskFollowUps(foldJournal(events)).get('a')).toEqual({ maxTasks: 2 });
  });
});

describe('packTasks with caps', () => {
  it('the tasks of a refused request of six come back as two requests of three, apart from the other tasks', () => {
    const tasks = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => task(n));
    const caps = Object.fromEntries(tasks.slice(0, 6).map((t) => [t.path, 3]));
    expect(ids(packTasks(tasks, opts()))).toEqual([['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8']]);
    expect(ids(packTasks(tasks, opts(caps)))).toEqual([
      ['t1', 't2', 't3'],
      ['t4', 't5', 't6'],
      ['t7', 't8'],
    ]);
  });

  it('a request holds no more tasks than the smallest cap among them', () => {
    const tasks = [1, 2, 3, 4, 5].map((n) => task(n));
    const caps = { 'src/f1.ts': 2, 'src/f2.ts': 2, 'src/f3.ts': 1, 'src/f4.ts': 2, 'src/f5.ts': 2 };
    expect(ids(packTasks(tasks, opts(caps)))).toEqual([['t1', 't2'], ['t3'], ['t4', 't5']]);
  });

  it('capped requests stay within the token budget too, and custom ids stay unique', () => {
    const tasks = [1, 2, 3, 4].map((n) => task(n));
    const caps = Object.fromEntries(tasks.map((t) => [t.path, 4]));
    const packed = packTasks(tasks, { ...opts(caps, 400), maxTokens: 1000 });
    expect(ids(packed)).toEqual([
      ['t1', 't2'],
      ['t3', 't4'],
    ]);
    expect(new Set(packed.map((p) => p.customId)).size).toBe(packed.length);
  });

  it('property: every task once; a request within every cap of its tasks; capped and uncapped tasks never share a request', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.constantFrom('A', 'B', 'C'), fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }), fc.integer({ min: 1, max: 600 })),
          { minLength: 1, maxLength: 40 },
        ),
        (spec) => {
          const tasks = spec.map(([group], i) => task(i + 1, group));
          const caps = Object.fromEntries(spec.flatMap(([, cap], i) => (cap === undefined ? [] : [[tasks[i]!.path, cap]])));
          const cost = new Map(tasks.map((t, i) => [t.path, spec[i]![2]]));
          const packed = packTasks(tasks, { maxTokens: 1000, safetyMargin: 0, estimate: (t) => cost.get(t.path)!, maxTasks: (t) => caps[t.path] });
          expect(packed.flatMap((p) => p.tasks.map((t) => t.id)).sort()).toEqual(tasks.map((t) => t.id).sort());
          for (const p of packed) {
            const capsHere = p.tasks.map((t) => caps[t.path]);
            for (const c of capsHere) if (c !== undefined) expect(p.tasks.length).toBeLessThanOrEqual(c);
            expect(capsHere.every((c) => c === undefined) || capsHere.every((c) => c !== undefined)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('decision and packing together: narrowing down the bad task', () => {
  /** Submits and "collects" in rounds as the harness does, the API refusing every request that holds `bad`. */
  function narrow(n: number, bad: number): { rounds: number; failed: string[]; done: string[] } {
    const tasks = Array.from({ length: n }, (_, i) => task(i + 1));
    const events: JournalEvent[] = [];
    const failed: string[] = [];
    const done: string[] = [];
    let pending = tasks;
    let rounds = 0;
    while (pending.length > 0) {
      rounds++;
      const follow = taskFollowUps(foldJournal(events));
      const packed = packTasks(pending, { ...opts(), maxTasks: (t) => follow.get(t.path)?.maxTasks });
      const changes: Record<string, TaskChangeRecord> = {};
      const retry: Record<string, RetryRecord> = {};
      for (const p of packed) {
        const paths = p.tasks.map((t) => t.path);
        if (!paths.includes(`src/f${bad}.ts`)) {
          for (const x of paths) changes[x] = { status: 'done', attempts: 1 };
          continue;
        }
        const split = splitRefused(paths);
        if (split) for (const x of paths) [changes[x], retry[x]] = [{ status: 'pending' }, split.retry.get(x)!];
        else changes[paths[0]!] = { status: 'failed', attempts: 1 };
      }
      events.push(collected(changes, retry));
      for (const [x, c] of Object.entries(changes))
        if (c.status === 'done') done.push(x);
        else if (c.status === 'failed') failed.push(x);
      pending = pending.filter((t) => changes[t.path]?.status === 'pending');
      if (rounds > 50) throw new Error('does not converge');
    }
    return { rounds, failed, done };
  }

  it('a request of six with one invalid task: only that task fails, in at most four rounds', () => {
    for (let bad = 1; bad <= 6; bad++) {
      const r = narrow(6, bad);
      expect(r.failed).toEqual([`src/f${bad}.ts`]);
      expect(r.done).toHaveLength(5);
      expect(r.rounds).toBeLessThanOrEqual(4);
    }
  });

  it('any size: rounds grow with the logarithm of the request', () => {
    for (const n of [1, 2, 3, 7, 16, 33, 100]) {
      const r = narrow(n, Math.ceil(n / 3));
      expect(r.failed).toHaveLength(1);
      expect(r.done).toHaveLength(n - 1);
      expect(r.rounds).toBeLessThanOrEqual(Math.ceil(Math.log2(n)) + 1);
    }
  });
});
