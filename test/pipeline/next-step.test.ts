import { describe, expect, it } from 'vitest';
import { advance, nextStep, type Progress, type RunView, type Step, startProgress } from '../../src/pipeline/next-step.js';
import { stageState } from '../../src/pipeline/stages.js';
import { foldJournal, type JournalEventInput, journalEventSchema } from '../../src/state/journal.js';
import type { Task } from '../../src/tasks/task.js';
import { planned, taskList, tasksOf } from './run-fakes.js';

const intent = (id: string, paths: string[], purpose: 'tasks' | 'warmup' = 'tasks'): JournalEventInput => ({
  type: 'intent',
  at: '2026-11-02T10:00:00.000Z',
  intentId: id,
  model: 'm',
  betas: [],
  fingerprint: id,
  requests: [{ customId: `${id}-r`, paths }],
  estimateUsd: 1,
  purpose,
});
const submitted = (id: string, batchId: string): JournalEventInput => ({ type: 'submitted', at: '2026-11-02T10:00:01.000Z', intentId: id, batchId });
const journal = (...events: JournalEventInput[]) => foldJournal(events.map((e) => journalEventSchema.parse(e)));

/** a, b pending; c submitted in b1 (in flight); d done. */
const list = taskList({ a: 'pending', b: 'pending', c: 'submitted', d: 'done' });
const [a, b] = tasksOf(list, 'a', 'b') as [Task, Task];
const b1InFlight = journal(intent('i1', ['c']), submitted('i1', 'b1'));
const b1Record = b1InFlight.batches[0]!;
const cold = planned([a, b]);
const warm = planned([a, b], 'warm-up');
const allDone = taskList({ a: 'done', b: 'done' });

const view = (over: Partial<RunView> = {}): RunView => ({
  journal: b1InFlight,
  tasks: list,
  options: {},
  stopRequested: false,
  stage: null,
  verify: null,
  ...over,
});
const at = (over: Partial<Progress>): Progress => ({ ...startProgress(), ...over });
const collected = at({ looked: new Set(['b1']) });
const checked = at({ phase: 'submit', targetsChecked: true, looked: new Set(['b1']) });
const planAt = (batches: ReturnType<typeof planned>[], next: number, where: 'budget' | 'warm-up' | 'submit', over: Partial<Progress> = {}) =>
  at({ ...checked, plan: { batches, next, at: where }, ...over });

const cases: [string, RunView, Progress, Step][] = [
  ['a batch in flight not looked at yet: collect it', view(), startProgress(), { kind: 'collect', record: b1Record }],
  ['a stop asked for before a collect: stop there', view({ stopRequested: true }), startProgress(), { kind: 'stop-requested' }],
  ['every batch looked at: check the pending targets (not c, held by b1)', view(), collected, { kind: 'check-targets', tasks: [a, b] }],
  ['targets checked: plan them', view(), checked, { kind: 'plan', tasks: [a, b] }],
  [
    'a stop asked for before planning: plan all the same (no side effect yet)',
    view({ stopRequested: true }),
    checked,
    { kind: 'plan', tasks: [a, b] },
  ],
  ['--dry-run never collects: check the targets', view({ options: { dryRun: true } }), startProgress(), { kind: 'check-targets', tasks: [a, b] }],
  [
    '--dry-run with nothing pending: write an empty plan',
    view({ options: { dryRun: true }, tasks: allDone }),
    startProgress(),
    { kind: 'dry-run', batches: [] },
  ],
  ['--dry-run, planned: write the plan', view({ options: { dryRun: true } }), planAt([cold], 0, 'budget'), { kind: 'dry-run', batches: [cold] }],
  [
    '--dry-run written: stop with 0, whatever the tasks',
    view({ options: { dryRun: true } }),
    at({ dryRunWritten: true }),
    { kind: 'stop', exitCode: 0 },
  ],
  ['a planned batch: check the budget first', view(), planAt([cold], 0, 'budget'), { kind: 'check-budget', batch: cold }],
  [
    'the budget is checked before a stop is honoured',
    view({ stopRequested: true }),
    planAt([cold], 0, 'budget'),
    { kind: 'check-budget', batch: cold },
  ],
  [
    'budget checked, a stop asked for: stop before the submit',
    view({ stopRequested: true }),
    planAt([cold], 0, 'warm-up'),
    { kind: 'stop-requested' },
  ],
  ['budget checked, cold cache: submit', view(), planAt([cold], 0, 'warm-up'), { kind: 'submit', batch: cold }],
  ['budget checked, warm-up planned: warm up', view(), planAt([warm], 0, 'warm-up'), { kind: 'warm-up', batch: warm, detach: false }],
  [
    '--detach warms up without waiting',
    view({ options: { detach: true } }),
    planAt([warm], 0, 'warm-up'),
    { kind: 'warm-up', batch: warm, detach: true },
  ],
  ['warmed up: submit', view(), planAt([warm], 0, 'submit'), { kind: 'submit', batch: warm }],
  ['warmed up, a stop asked for: stop before the submit', view({ stopRequested: true }), planAt([warm], 0, 'submit'), { kind: 'stop-requested' }],
  ['the second batch of the plan', view(), planAt([cold, warm], 1, 'budget'), { kind: 'check-budget', batch: warm }],
  [
    'every batch submitted: wait for any batch in flight (not collecting the new ones)',
    view(),
    planAt([cold], 1, 'budget'),
    { kind: 'wait', records: [b1Record], until: 'any' },
  ],
  [
    '--once waits for all of them',
    view({ options: { once: true } }),
    planAt([cold], 1, 'budget'),
    { kind: 'wait', records: [b1Record], until: 'all' },
  ],
  [
    '--detach never waits: exit 3 while work is left',
    view({ options: { detach: true } }),
    planAt([cold], 1, 'budget'),
    { kind: 'stop', exitCode: 3 },
  ],
  [
    '--detach with every task done: exit 0',
    view({ options: { detach: true }, tasks: allDone, journal: journal() }),
    startProgress(),
    { kind: 'stop', exitCode: 0 },
  ],
  ['nothing pending, nothing in flight: exit 0', view({ tasks: allDone, journal: journal() }), startProgress(), { kind: 'stop', exitCode: 0 }],
  [
    'a failed task: exit 3',
    view({ tasks: taskList({ a: 'done', e: 'failed' }), journal: journal() }),
    startProgress(),
    { kind: 'stop', exitCode: 3 },
  ],
  [
    '--once after its wait: collect, check the targets, but submit nothing more',
    view({ options: { once: true } }),
    at({ cycles: 1, looked: new Set(['b1']), phase: 'submit', targetsChecked: true }),
    { kind: 'stop', exitCode: 3 },
  ],
  [
    '--once after its wait, targets not yet checked',
    view({ options: { once: true } }),
    at({ cycles: 1, looked: new Set(['b1']) }),
    { kind: 'check-targets', tasks: [a, b] },
  ],
  [
    'tasks held by an unresolved intent are not pending',
    view({ journal: journal(intent('i1', ['c']), submitted('i1', 'b1'), intent('i2', ['a'])) }),
    collected,
    { kind: 'check-targets', tasks: [b] },
  ],
  [
    'a warm-up in flight is collected like any batch',
    view({ journal: journal(intent('w', [], 'warmup'), submitted('w', 'bw')) }),
    startProgress(),
    expect.objectContaining({ kind: 'collect' }),
  ],
];

/** Stage 1: m1, m2; stage 2: s1, s2; stage 3: r1. */
const STAGES = { m1: 1, m2: 1, s1: 2, s2: 2, r1: 3 };
const staged = (statuses: Record<string, Task['status']>) => {
  const tasks = taskList(statuses, STAGES);
  return view({ tasks, stage: stageState(tasks), journal: journal() });
};
const fresh = staged({ m1: 'pending', m2: 'pending', s1: 'pending', s2: 'pending', r1: 'pending' });
const stage1Flying = staged({ m1: 'submitted', m2: 'pending', s1: 'pending', s2: 'pending', r1: 'pending' });
const stage1Done = staged({ m1: 'done', m2: 'done', s1: 'pending', s2: 'pending', r1: 'pending' });
const stage1Failed = staged({ m1: 'failed', m2: 'done', s1: 'pending', s2: 'pending', r1: 'pending' });
const stage1Failing = staged({ m1: 'failed', m2: 'pending', s1: 'pending', s2: 'pending', r1: 'pending' });
const stage2Half = staged({ m1: 'done', m2: 'done', s1: 'submitted', s2: 'done', r1: 'pending' });
const stage1Unticked = staged({ m1: 'pending', m2: 'done', s1: 'done', s2: 'pending', r1: 'pending' });
const named = (v: RunView, ...paths: string[]) => tasksOf(v.tasks, ...paths);
const HELD = 'stage 2 waits for stage 1: m1 failed; fix it and run `harness retry m1`, then `harness run`';

const stageCases: [string, RunView, Progress, Step][] = [
  ['stage 1 first: only its pending tasks are checked', fresh, startProgress(), { kind: 'check-targets', tasks: named(fresh, 'm1', 'm2') }],
  ['and only they are planned', fresh, at({ phase: 'submit', targetsChecked: true }), { kind: 'plan', tasks: named(fresh, 'm1', 'm2') }],
  [
    'a stage-1 task in flight: the rest of stage 1 goes, stage 2 waits',
    stage1Flying,
    startProgress(),
    { kind: 'check-targets', tasks: named(stage1Flying, 'm2') },
  ],
  ['stage 1 done: stage 2 is planned, not stage 3', stage1Done, startProgress(), { kind: 'check-targets', tasks: named(stage1Done, 's1', 's2') }],
  [
    'a failed stage-1 task while stage 1 still has work: stage 1 goes on',
    stage1Failing,
    startProgress(),
    { kind: 'check-targets', tasks: named(stage1Failing, 'm2') },
  ],
  ['a failed stage-1 task, stage 1 over: stop with exit 3 naming it', stage1Failed, startProgress(), { kind: 'stop', exitCode: 3, held: HELD }],
  ['--detach stops the same way', { ...stage1Failed, options: { detach: true } }, startProgress(), { kind: 'stop', exitCode: 3, held: HELD }],
  [
    '--dry-run of a held stage writes an empty plan',
    { ...stage1Failed, options: { dryRun: true } },
    startProgress(),
    { kind: 'dry-run', batches: [] },
  ],
  ['a stage-2 task still submitted: stage 3 is not planned', stage2Half, startProgress(), { kind: 'stop', exitCode: 0 }],
  [
    'a stage-1 file unticked after stage 2 began: stage 1 again, then stage 2',
    stage1Unticked,
    startProgress(),
    { kind: 'check-targets', tasks: named(stage1Unticked, 'm1') },
  ],
  [
    '--dry-run plans the stage in progress only',
    { ...fresh, options: { dryRun: true } },
    startProgress(),
    { kind: 'check-targets', tasks: named(fresh, 'm1', 'm2') },
  ],
];

describe('nextStep: stages', () => {
  it.each(stageCases)('%s', (_name, v, progress, step) => {
    expect(nextStep(v, progress)).toEqual(step);
  });

  it('stageState: the lowest stage with work, what holds it, what waits', () => {
    expect(stageState(stage1Flying.tasks)).toEqual({ current: 1, heldBy: [], waiting: 3, last: 3 });
    expect(stageState(stage1Failed.tasks)).toMatchObject({ current: 2, heldBy: named(stage1Failed, 'm1'), waiting: 1 });
    expect(stageState(taskList({ a: 'done', b: 'failed' }))).toBeNull();
    expect(stageState(taskList({ a: 'pending', b: 'failed' }))).toMatchObject({ current: 1, heldBy: [], last: 1 });
  });
});

describe('nextStep', () => {
  it.each(cases)('%s', (_name, v, progress, step) => {
    expect(nextStep(v, progress)).toEqual(step);
  });
});

describe('advance', () => {
  it('a collect marks the batch looked at; a check or a plan ends the collect phase', () => {
    let p = advance(startProgress(), { kind: 'collect', record: b1Record });
    expect(p.looked).toEqual(new Set(['b1']));
    expect(p.phase).toBe('collect');
    p = advance(p, { kind: 'check-targets', tasks: [a] });
    expect(p).toMatchObject({ phase: 'submit', targetsChecked: true });
    p = advance(p, { kind: 'plan', tasks: [a] }, { batches: [cold, warm] });
    expect(p.plan).toEqual({ batches: [cold, warm], next: 0, at: 'budget' });
  });

  it('a batch goes budget → warm-up → submit → the next batch; a warm-up that does not proceed skips its batch', () => {
    let p = planAt([warm, warm], 0, 'budget');
    p = advance(p, { kind: 'check-budget', batch: warm });
    expect(p.plan).toMatchObject({ next: 0, at: 'warm-up' });
    p = advance(p, { kind: 'warm-up', batch: warm, detach: false }, { proceed: true });
    expect(p.plan).toMatchObject({ next: 0, at: 'submit' });
    p = advance(p, { kind: 'submit', batch: warm });
    expect(p.plan).toMatchObject({ next: 1, at: 'budget' });
    p = advance(advance(p, { kind: 'check-budget', batch: warm }), { kind: 'warm-up', batch: warm, detach: true }, { proceed: false });
    expect(p.plan).toMatchObject({ next: 2, at: 'budget' });
  });

  it('a wait starts the next cycle from scratch', () => {
    const p = advance(planAt([cold], 1, 'budget', { cycles: 2 }), { kind: 'wait', records: [b1Record], until: 'any' });
    expect(p).toEqual({ ...startProgress(), cycles: 3 });
  });

  it('a dry run written ends the run', () => {
    expect(advance(startProgress(), { kind: 'dry-run', batches: [] }).dryRunWritten).toBe(true);
  });
});
