/**
 * The initializer pass: snapshot the codebase (scan, secrets, context), plan task-list.md with the
 * chosen planner, commit it, and submit the first batch without waiting.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { planFromSpec } from '../planners/list.js';
import { planWithModel, plannerCeilingUsd, type PlanWithModelOptions } from '../planners/llm.js';
import { mergePlan } from '../planners/merge.js';
import { assertNoSecrets } from '../repo/secrets.js';
import { checkSyncBudget } from '../cost/budget.js';
import { planMirror } from '../planners/mirror.js';
import type { Plan } from '../planners/index.js';
import { costUsd, formatUsd, usageFromApi } from '../cost/usage.js';
import { planOutput, pricesOf } from '../models/models.js';
import { HarnessError, isHarnessError } from '../shared/errors.js';
import { HARNESS_STATE_DIR, TASK_LIST_FILE } from '../shared/paths.js';
import { plural } from '../shared/plural.js';
import { ensureStateGitignore, STATE_GITIGNORE } from '../state/files.js';
import { appendJournal, JOURNAL_FILE, nowIso, readJournal } from '../state/journal.js';
import { parseTaskList, type TaskList } from '../tasks/task-list.js';
import { writeDryRun, type DryRunSummary } from './dry-run.js';
import { assertClean } from './dirty.js';
import { planBatches } from './plan-requests.js';
import { assertNothingInFlight, runPasses, type RunResult } from './run.js';
import { promptContext, takeSnapshot } from './snapshot.js';
import { assertTargetsWritable } from './validate-targets.js';
import type { Workspace } from './workspace.js';

export interface InitOptions {
  spec?: string;
  planner?: 'list' | 'mirror' | 'llm';
  noSubmit?: boolean;
  dryRun?: boolean;
  allowDirty?: boolean;
}

export interface InitResult {
  tasks: number;
  planned: boolean;
  dryRun: DryRunSummary | null;
  run: RunResult | null;
}

export async function initRepo(ws: Workspace, options: InitOptions): Promise<InitResult> {
  const planner = options.planner ?? ws.config.planner;
  const listFile = path.join(ws.repoDir, TASK_LIST_FILE);
  const existing = existsSync(listFile) ? parseTaskList(await readFile(listFile, 'utf8'), TASK_LIST_FILE) : null;
  if (!options.dryRun) assertNothingInFlight(await readJournal(ws.repoDir));

  // Everything that can be refused without scanning or spending, first.
  const specText = options.spec ? await readSpec(ws.repoDir, options.spec) : null;
  // The spec leaves the machine (as the planner's prompt, or as the task descriptions it becomes):
  // a secret in it stops init before anything is scanned, committed or sent.
  if (specText !== null) {
    await assertNoSecrets([{ path: options.spec!, content: specText }], {
      allow: ws.config.secrets.allow,
      env: ws.env,
      source: `the spec ${options.spec}`,
    });
  }
  if (planner === 'list' && specText === null && !existing) {
    throw new HarnessError('BAD_USAGE', `no ${TASK_LIST_FILE} in the repo and no --spec given`, {
      hint: `write ${TASK_LIST_FILE} (lines like "- [ ] \`src/a.ts\` — what it is"), or pass --spec FILE, or use --planner mirror|llm`,
    });
  }
  if (planner === 'llm') {
    if (specText === null)
      throw new HarnessError('BAD_USAGE', 'the llm planner needs --spec FILE', {
        hint: 'describe what to build in a Markdown file and pass it with --spec',
      });
    if (existing) {
      throw new HarnessError('BAD_USAGE', `${TASK_LIST_FILE} already exists`, {
        hint: `delete it to plan again with the llm planner, or edit it and run \`harness run\``,
      });
    }
    if (options.dryRun) {
      throw new HarnessError('BAD_USAGE', '--dry-run cannot plan with the llm planner: planning is a paid model call', {
        hint: 'plan first with `harness init --planner llm --spec FILE --no-submit` (one synchronous call), then `harness run --dry-run`',
      });
    }
    planOutput(ws.model, ws.config.syncMaxTokens, 'sync', ws.configLabel);
  }

  const snapshot = await takeSnapshot(ws, { reuse: false });
  // The key and the API, before the paid plan and before anything is committed.
  if (!options.dryRun && (planner === 'llm' || !options.noSubmit)) await ws.preflight();

  let plan: Plan | null = null;
  let paid: { costUsd: number } | null = null;
  if (planner === 'list') {
    if (specText !== null) plan = planFromSpec(specText, options.spec!);
  } else if (planner === 'mirror') {
    plan = planMirror([...snapshot.paths], ws.config.mirror.rules, ws.configLabel);
  } else {
    const plannerOptions: PlanWithModelOptions = {
      context: promptContext(snapshot),
      spec: specText!,
      specFile: options.spec!,
      templates: await ws.templates(),
      model: ws.model.id,
      maxTokens: ws.config.syncMaxTokens,
      secrets: { allow: ws.config.secrets.allow, env: ws.env },
      sleep: ws.sleep,
    };
    const ceiling = plannerCeilingUsd(ws.model, plannerOptions, ws.configLabel);
    ws.reporter.info('planning with the model (one streaming call)…');
    // Every attempt (a transient failure is retried) is checked against both budget caps first.
    const { plan: p, usage } = await planWithModel(ws.client(), {
      ...plannerOptions,
      beforeAttempt: () => checkSyncBudget(ws, ceiling, 'the planner call'),
    });
    plan = p;
    const cost = costUsd(usageFromApi(usage), pricesOf(ws.model, ws.configLabel), 'sync');
    await appendJournal(ws.repoDir, {
      type: 'call',
      purpose: 'plan',
      at: nowIso(),
      path: TASK_LIST_FILE,
      context: snapshot.context.sha256,
      usage: usageFromApi(usage),
      costUsd: cost,
    });
    paid = { costUsd: cost };
    const n = p.groups.reduce((k, g) => k + g.tasks.length, 0);
    ws.reporter.info(`planned ${plural(n, 'task')} ($${formatUsd(cost)})`);
  }

  const text = plan ? mergePlan(existing, plan) : existing!.source;
  let list: TaskList;
  try {
    list = parseTaskList(text, TASK_LIST_FILE);
    if (list.tasks.length === 0) throw new HarnessError('BAD_TASK_LIST', 'the task list has no tasks', { file: TASK_LIST_FILE });
    await assertTargetsWritable(
      ws,
      list.tasks.filter((t) => t.status === 'pending'),
    );
    if (!options.dryRun && !options.allowDirty) await assertClean(ws, list, await readJournal(ws.repoDir));
  } catch (error) {
    // A check after a paid plan failed: keep what was paid for, and say how to go on from it.
    if (paid) throw await keepPaidPlan(ws, text, paid.costUsd, error);
    throw error;
  }

  if (options.dryRun) {
    // The first stage only, as `run --dry-run` writes the stage in progress: later stages' requests
    // carry files the earlier ones have not written yet.
    const pending = list.tasks.filter((t) => t.status === 'pending' && !t.checked);
    const first = Math.min(...pending.map((t) => t.stage));
    const planned = await planBatches(
      ws,
      pending.filter((t) => t.stage === first),
      snapshot,
      list,
    );
    return { tasks: list.tasks.length, planned: plan !== null, dryRun: await writeDryRun(ws, planned), run: null };
  }

  if (text !== existing?.source) await writeFile(listFile, text);
  await ensureStateGitignore(ws.repoDir);
  const journalPaths = existsSync(path.join(ws.repoDir, JOURNAL_FILE)) ? [JOURNAL_FILE] : [];
  await ws.git.commit([TASK_LIST_FILE, STATE_GITIGNORE, ...journalPaths], `harness: plan ${list.tasks.length} tasks (${planner} planner)`);
  const groups = new Set(list.tasks.map((t) => t.group)).size;
  ws.reporter.info(`task list: ${plural(list.tasks.length, 'task')} in ${plural(groups, 'group')}`);
  if (options.noSubmit) return { tasks: list.tasks.length, planned: plan !== null, dryRun: null, run: null };
  const run = await runPasses(ws, { detach: true, fresh: true, allowDirty: true });
  return { tasks: list.tasks.length, planned: plan !== null, dryRun: null, run };
}

/**
 * Saves a plan that was paid for when a later check refuses it: into task-list.md when the plan is
 * a usable list (the llm planner only runs when there is none), else into .harness/plan.md. The
 * journal already records the call (cost and tokens). Returns the error to report, with the way on.
 */
async function keepPaidPlan(ws: Workspace, text: string, cost: number, error: unknown): Promise<unknown> {
  if (!isHarnessError(error)) return error;
  let usable = false;
  try {
    usable = parseTaskList(text, TASK_LIST_FILE).tasks.length > 0;
  } catch {
    usable = false;
  }
  const listFile = path.join(ws.repoDir, TASK_LIST_FILE);
  let where: string;
  let next: string;
  if (usable && !existsSync(listFile)) {
    await writeFile(listFile, text);
    where = `${TASK_LIST_FILE} (not committed)`;
    next = 'then run `harness init --planner list` to commit it and submit it (no new plan is paid for)';
  } else {
    await mkdir(path.join(ws.repoDir, HARNESS_STATE_DIR), { recursive: true });
    await writeFile(path.join(ws.repoDir, PLAN_FILE), text);
    where = PLAN_FILE;
    next = `then fix it, copy it to ${TASK_LIST_FILE} and run \`harness init --planner list\``;
  }
  const hint = `${error.hint ? `${error.hint}; ` : ''}the plan you paid for ($${formatUsd(cost)}) is kept in ${where}: ${next}`;
  return new HarnessError(error.code, error.message, {
    ...(error.file === undefined ? {} : { file: error.file }),
    ...(error.line === undefined ? {} : { line: error.line }),
    hint,
    cause: error,
  });
}

/** Where a paid plan goes when it cannot become task-list.md. */
const PLAN_FILE = `${HARNESS_STATE_DIR}/plan.md`;

async function readSpec(repoDir: string, spec: string): Promise<string> {
  const file = path.resolve(repoDir, spec);
  if (!existsSync(file)) throw new HarnessError('BAD_SPEC', `spec file not found: ${spec}`, { file: spec });
  return readFile(file, 'utf8');
}
