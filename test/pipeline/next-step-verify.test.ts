/** nextStep with verify configured: when the verify step comes, and how a failed verification ends the run. */
import { describe, expect, it } from 'vitest';
import { advance, nextStep, type Progress, type RunView, type Step, startProgress } from '../../src/pipeline/next-step.js';
import type { VerifiedEvent } from '../../src/state/journal-events.js';
import { foldJournal } from '../../src/state/journal.js';
import type { Task } from '../../src/tasks/task.js';
import { planned, taskList, tasksOf } from './run-fakes.js';

const verified = (over: Partial<VerifiedEvent> = {}): VerifiedEvent => ({
  type: 'verified',
  at: 't',
  command: 'check',
  passed: false,
  exitCode: 1,
  signal: null,
  timedOut: false,
  output: '',
  repairs: {},
  failed: {},
  other: [],
  ...over,
});
const list = taskList({ a: 'pending', d: 'done' });
const [a] = tasksOf(list, 'a') as [Task];
const allDone = taskList({ a: 'done', d: 'done' });
const view = (over: Partial<RunView> = {}): RunView => ({
  journal: foldJournal([]),
  tasks: list,
  options: {},
  stopRequested: false,
  stage: null,
  verify: { due: false, last: null },
  ...over,
});
const at = (over: Partial<Progress>): Progress => ({ ...startProgress(), ...over });

const cases: [string, RunView, Progress, Step][] = [
  ['not configured: plan as before', view({ verify: null }), startProgress(), { kind: 'check-targets', tasks: [a] }],
  ['configured, nothing written since the last run: plan', view(), startProgress(), { kind: 'check-targets', tasks: [a] }],
  [
    'files written since the last verification: verify before planning',
    view({ verify: { due: true, last: null } }),
    startProgress(),
    { kind: 'verify' },
  ],
  [
    'a stop asked for before a verify: stop there',
    view({ verify: { due: true, last: null }, stopRequested: true }),
    startProgress(),
    { kind: 'stop-requested' },
  ],
  [
    '--dry-run never verifies',
    view({ verify: { due: true, last: null }, options: { dryRun: true } }),
    startProgress(),
    { kind: 'check-targets', tasks: [a] },
  ],
  [
    'a plan in progress is not interrupted',
    view({ verify: { due: true, last: null } }),
    at({ phase: 'submit', targetsChecked: true, plan: { batches: [planned([a])], next: 0, at: 'budget' } }),
    { kind: 'check-budget', batch: planned([a]) },
  ],
  [
    'the last verification named no task, this run has not verified: verify again',
    view({ verify: { due: false, last: verified() } }),
    startProgress(),
    { kind: 'verify' },
  ],
  [
    'the last verification named no task, this run verified already: stop with 3',
    view({ verify: { due: false, last: verified({ timedOut: true }) } }),
    at({ verified: true }),
    { kind: 'stop', exitCode: 3 },
  ],
  [
    'the last verification marked repairs: plan them',
    view({ verify: { due: false, last: verified({ repairs: { a: ['a(1,1): error'] } }) } }),
    at({ verified: true }),
    { kind: 'check-targets', tasks: [a] },
  ],
  [
    'all done, the last verification passed: stop with 0',
    view({ tasks: allDone, verify: { due: false, last: verified({ passed: true }) } }),
    at({ verified: true }),
    { kind: 'stop', exitCode: 0 },
  ],
  [
    'all done, a task failed out of repairs: stop with 3',
    view({ tasks: allDone, verify: { due: false, last: verified({ failed: { a: 'verify failed' } }) } }),
    at({ verified: true }),
    { kind: 'stop', exitCode: 3 },
  ],
];

describe('nextStep: verify', () => {
  it.each(cases)('%s', (_name, v, progress, step) => {
    expect(nextStep(v, progress)).toEqual(step);
  });

  it('a verify is remembered across cycles', () => {
    const p = advance(startProgress(), { kind: 'verify' });
    expect(p.verified).toBe(true);
    expect(advance(p, { kind: 'wait', records: [], until: 'any' })).toMatchObject({ verified: true, cycles: 1 });
  });
});
