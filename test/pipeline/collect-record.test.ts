/**
 * What a collect records (collect-fates.ts's writtenFate and targetConflicts, collect-ledger.ts)
 * and what a recorded collect changes in task-list.md (collect-finish.ts's taskListChanges), row by
 * row, without a file, a repo or an API.
 */
import { describe, expect, it } from 'vitest';
import { costUsd, zeroUsage } from '../../src/cost/usage.js';
import { decideResult, targetConflicts, writtenFate, type CollectWrite, type Fate } from '../../src/pipeline/collect-fates.js';
import { taskListChanges } from '../../src/pipeline/collect-finish.js';
import { FateLedger } from '../../src/pipeline/collect-ledger.js';
import { sha256 } from '../../src/pipeline/targets.js';
import { context, ended, failed, generated, pending, section, succeeded, task } from './collect-fixtures.js';

const A = 'src/a.ts';
const B = 'src/b.ts';
const C = 'src/c.ts';

describe('what a write decides', () => {
  const w = { task: task(A, { attempts: 1 }), content: generated(A) };
  const rows: { name: string; written: CollectWrite; fate: Fate }[] = [
    {
      name: 'written: done and ticked, the file recorded with its hash',
      written: { ok: true, repoRelPath: `out/${A}` },
      fate: {
        path: A,
        change: { status: 'done', checked: true, attempts: 2, batch: 'b1', reason: null },
        file: { path: `out/${A}`, sha256: sha256(generated(A)) },
      },
    },
    {
      name: 'refused by the path guard: failed, reported',
      written: { ok: false, reason: 'outside the output root' },
      fate: { ...failed(A, 2, 'unsafe target: outside the output root'), report: `${A}: not written: outside the output root` },
    },
    {
      name: 'a conflict: failed with how to take either side, the output kept aside',
      written: { ok: false, reason: 'changed since the submit', conflict: { repoRelPath: A, kept: `.harness/conflicts/b1/${A}` } },
      fate: {
        ...failed(
          A,
          2,
          `conflict: ${A} changed while b1 ran; your version is left as it is and the generated one is in .harness/conflicts/b1/${A}. ` +
            `To keep yours, tick the task; to take the generated one, move it over ${A} and tick the task`,
        ),
        report: `${A}: changed since b1 was submitted: left as it is; the generated version is in .harness/conflicts/b1/${A}`,
        conflict: { path: A, kept: `.harness/conflicts/b1/${A}` },
      },
    },
  ];
  it.each(rows)('$name', ({ written, fate }) => expect(writtenFate(w, written, 'b1')).toEqual(fate));

  const mine = sha256('mine\n');
  const out = 'generated\n';
  it.each([
    { name: 'no record of the target at submit', before: undefined, now: mine, conflict: false },
    { name: 'the guard refuses the path (the write says why)', before: null, now: undefined, conflict: false },
    { name: 'unchanged since the submit', before: mine, now: mine, conflict: false },
    { name: 'already this output (a collect redone after a crash)', before: null, now: sha256(out), conflict: false },
    { name: 'edited while the batch ran', before: sha256('old\n'), now: mine, conflict: true },
    { name: 'created while the batch ran', before: null, now: mine, conflict: true },
    { name: 'deleted while the batch ran', before: mine, now: null, conflict: true },
  ])('target conflict? $name: $conflict', ({ before, now, conflict }) => expect(targetConflicts(before, now, out)).toBe(conflict));
});

describe('what a recorded collect changes in task-list.md', () => {
  const event = {
    batchId: 'b1',
    taskChanges: {
      [A]: { status: 'done' as const, checked: true, attempts: 1, batch: 'b1', reason: null },
      [B]: { status: 'pending' as const, attempts: 1, batch: 'b1', reason: null },
      [C]: { status: 'done' as const, checked: true, attempts: 1, batch: 'b1', reason: null },
      'src/gone.ts': { status: 'pending' as const, batch: 'b1', reason: null },
    },
  };
  const repoPath = (p: string) => `out/${p}`;

  it('applies the recorded changes; a task ticked since keeps its tick unless it is done; a renamed task goes back to pending', () => {
    const tasks = [task(A), task(B, { checked: true }), task(C), task('src/renamed.ts'), task('src/other.ts', { batch: 'b2' })];
    const { changes, orphaned } = taskListChanges(event, tasks, new Set(), repoPath);
    expect(Object.fromEntries(changes)).toEqual({ [A]: event.taskChanges[A], [C]: event.taskChanges[C], 'src/renamed.ts': { status: 'pending' } });
    expect(orphaned).toBe(1);
  });

  it('a file a person changed after a crashed collect wrote it: its task fails, that file is theirs', () => {
    const { changes } = taskListChanges(event, [task(A), task(C)], new Set([`out/${C}`]), repoPath);
    expect(changes.get(A)).toEqual(event.taskChanges[A]);
    expect(changes.get(C)).toMatchObject({ status: 'failed', checked: false, attempts: 1, batch: 'b1' });
    expect(changes.get(C)?.reason).toMatch(/^conflict: out\/src\/c\.ts changed after the interrupted collect of b1 wrote it; left as it is/);
  });
});

describe('the collected event', () => {
  it('counts each result, sums the usage, keeps the retry and the conflicts only when there are any; a later fate of a task replaces the earlier one', () => {
    const ledger = new FateLedger();
    const ctx = context([task(A), task(B)], { r1: [A, B], r2: [B] });
    ledger.decided(decideResult(succeeded('r1', section(A), 'end_turn', 10), ctx, ledger.seen));
    ledger.decided(decideResult(ended('r2', 'expired'), ctx, ledger.seen));
    ledger.decided(decideResult(ended('r1', 'expired'), ctx, ledger.seen));
    ledger.record(pending(A, 1));
    ledger.record(pending(B));
    ledger.record({ ...pending(A), report: 'again' });
    const event = ledger.event('b1', 'now', { input: 3, output: 15 });
    const usage = { ...zeroUsage(), input_tokens: 1_000, output_tokens: 10 };
    expect(event).toEqual({
      type: 'collected',
      at: 'now',
      batchId: 'b1',
      files: [],
      taskChanges: { [A]: pending(A).change, [B]: pending(B).change },
      usage,
      costUsd: costUsd(usage, { input: 3, output: 15 }, 'batch'),
      counts: { succeeded: 1, errored: 0, canceled: 0, expired: 1 },
      report: ['again'],
    });
    expect([...ledger.seen]).toEqual(['r1', 'r2']);
  });

  it('keeps the first 500 report lines', () => {
    const ledger = new FateLedger();
    for (let i = 0; i < 600; i++) ledger.record({ ...pending(`f${i}`), report: `line ${i}` });
    expect(ledger.event('b1', 'now', { input: 3, output: 15 }).report).toHaveLength(500);
    expect(ledger.report).toHaveLength(600);
  });
});
