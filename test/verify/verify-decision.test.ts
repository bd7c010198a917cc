import { describe, expect, it } from 'vitest';
import { foldJournal } from '../../src/state/journal-fold.js';
import {
  decideVerify,
  decideVerifyReplay,
  lastVerified,
  verifyDue,
  verifyTaskChanges,
  verifyUnanswerable,
} from '../../src/verify/verify-decision.js';
import { parseTaskList, writeTaskList } from '../../src/tasks/task-list.js';
import { zeroUsage } from '../../src/cost/usage.js';
import type { VerifyRun } from '../../src/verify/run-verify.js';

const failed: VerifyRun = { passed: false, exitCode: 1, signal: null, timedOut: false, output: 'x' };
const decide = (run: VerifyRun, byTask: Record<string, string[]>, rounds: Record<string, number> = {}) =>
  decideVerify({
    command: 'check',
    at: 't',
    run,
    mapping: { byTask: new Map(Object.entries(byTask)), otherPaths: ['test/hand.test.ts'] },
    rounds: new Map(Object.entries(rounds)),
    repairs: 2,
  });

describe('decideVerify', () => {
  it('passed: nothing marked', () => {
    const d = decide({ ...failed, passed: true, exitCode: 0 }, {});
    expect(d.event).toMatchObject({ passed: true, repairs: {}, failed: {}, other: [] });
    expect(d.taskChanges.size).toBe(0);
    expect(verifyUnanswerable(d.event)).toBe(false);
  });

  it('named tasks with repairs left go back to pending, unticked', () => {
    const d = decide(failed, { 'src/a.ts': ['a(1,1): error'] }, { 'src/a.ts': 1 });
    expect(d.event.repairs).toEqual({ 'src/a.ts': ['a(1,1): error'] });
    expect(d.event.other).toEqual(['test/hand.test.ts']);
    expect(d.taskChanges.get('src/a.ts')).toMatchObject({ status: 'pending', checked: false });
  });

  it('a task out of repairs fails with its last diagnostic', () => {
    const d = decide(failed, { 'src/a.ts': ['first', 'last'] }, { 'src/a.ts': 2 });
    expect(d.event.repairs).toEqual({});
    expect(d.event.failed['src/a.ts']).toContain('last');
    expect(d.taskChanges.get('src/a.ts')).toMatchObject({ status: 'failed' });
  });

  it('a failure naming no task, a timeout or a signal marks nothing', () => {
    expect(verifyUnanswerable(decide(failed, {}).event)).toBe(true);
    for (const run of [
      { ...failed, timedOut: true, exitCode: null },
      { ...failed, signal: 'SIGKILL', exitCode: null },
    ]) {
      const d = decide(run, { 'src/a.ts': ['a'] });
      expect(d.taskChanges.size).toBe(0);
      expect(verifyUnanswerable(d.event)).toBe(true);
    }
  });
});

describe('verifyDue and lastVerified', () => {
  const collected = (files: string[]) => ({
    type: 'collected' as const,
    at: 't',
    batchId: 'b',
    files: files.map((path) => ({ path, sha256: 'x' })),
    taskChanges: {},
    usage: zeroUsage(),
    costUsd: 0,
    counts: {},
    report: [],
  });
  it('is due after a collect wrote files since the last verification', () => {
    const v = decide(failed, {}).event;
    expect(verifyDue(foldJournal([]))).toBe(false);
    expect(verifyDue(foldJournal([collected([])]))).toBe(false);
    expect(verifyDue(foldJournal([collected(['a'])]))).toBe(true);
    expect(verifyDue(foldJournal([collected(['a']), v]))).toBe(false);
    expect(lastVerified(foldJournal([collected(['a']), v]))).toBe(v);
    expect(lastVerified(foldJournal([]))).toBeNull();
  });
});

describe('verifyTaskChanges', () => {
  it('stands for what the verification did to the task list, and applying it twice is applying it once', () => {
    const list = parseTaskList('# T\n\n- [x] `src/a.ts` — a\n- [x] `src/b.ts` — b\n- [x] `src/c.ts` — c\n');
    const event = {
      ...decide(failed, {}).event,
      repairs: { 'src/a.ts': ['a(1,1): error'] },
      failed: { 'src/b.ts': 'verify failed after 2 repair(s): b' },
    };
    const once = writeTaskList(list, verifyTaskChanges(event));
    expect(writeTaskList(parseTaskList(once), verifyTaskChanges(event))).toBe(once);
    const tasks = parseTaskList(once).tasks;
    expect(tasks.map((t) => [t.path, t.status, t.checked])).toEqual([
      ['src/a.ts', 'pending', false],
      ['src/b.ts', 'failed', false],
      ['src/c.ts', 'done', true],
    ]);
    expect(tasks[1]!.reason).toContain('verify failed after 2 repair(s): b');
  });
});

describe('decideVerifyReplay', () => {
  const base = { committed: false, journalDirty: true, taskListDirty: false, current: 'before', replayed: 'after' };
  it.each([
    ['its commit exists', { committed: true }, 'none'],
    ["the journal was committed by hand (the task list as committed is the person's word)", { journalDirty: false }, 'none'],
    ['the crash came before the task list was written', {}, 'replay'],
    ['the task list holds the marks, the commit is missing', { current: 'after', taskListDirty: true }, 'commit'],
    ['the task list was edited by hand since', { taskListDirty: true }, 'edited'],
    ['committed and edited: nothing to do', { committed: true, taskListDirty: true }, 'none'],
  ] as const)('%s', (_what, change, expected) => {
    expect(decideVerifyReplay({ ...base, ...change })).toBe(expected);
  });
});
