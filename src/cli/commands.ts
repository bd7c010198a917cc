/**
 * The commands (docs/commands.md). Each action: resolve repo + config (flags override the file),
 * open the workspace, take the repo lock when it changes anything, run one pipeline, render.
 */
import { existsSync, rmSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { HarnessConfigInput } from '../config/schema.js';
import { HarnessError } from '../shared/errors.js';
import { isStopRequested, onStopSignals, StopRequested, stopExitCode, type StopController, type StopReason } from '../shared/signals.js';
import type { StatusReport } from '../pipeline/status.js';
import type { Workspace } from '../pipeline/workspace.js';
import { createReporter, plural, printError, printJsonError, type Output } from './render.js';
import { printRunSummary, printStatus, printDryRun, printEstimate } from './report.js';

export interface CommandContext {
  opts: Record<string, unknown>;
  args: string[];
  io: Output;
  /** Set by the first Ctrl-C / SIGTERM while the command holds the repo lock. */
  stop: StopController;
}

export interface CommandSpec {
  name: string;
  description: string;
  args?: { name: string; description: string }[];
  options?: { flags: string; description: string; choices?: string[]; parse?: (v: string) => unknown }[];
  run(ctx: CommandContext): Promise<number>;
}

/** Ends a command with this exit code after its message was printed (a stop by a signal). */
export class CommandExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'CommandExit';
  }
}

const intArg =
  (flag: string, min = 0) =>
  (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) {
      throw new HarnessError('BAD_USAGE', `${flag} needs a whole number${min > 0 ? ` of at least ${min}` : ''}, got "${v}"`);
    }
    return n;
  };

const modelOptions = [
  { flags: '--model <id>', description: 'model id (overrides the config)' },
  { flags: '--max-tokens <n>', description: 'max_tokens per batch request (overrides the config)', parse: intArg('--max-tokens', 1) },
];

/** The flag each config override comes from, so an error names what the person typed. */
const FLAGS = { model: '--model', maxTokens: '--max-tokens', planner: '--planner' } as const;

function overrides(opts: Record<string, unknown>): HarnessConfigInput {
  const o: HarnessConfigInput = {};
  if (typeof opts.model === 'string') o.model = opts.model;
  if (typeof opts.maxTokens === 'number') o.maxTokens = opts.maxTokens;
  if (typeof opts.planner === 'string') o.planner = opts.planner as 'list' | 'mirror' | 'llm';
  return o;
}

const repoDirs = new WeakMap<CommandContext, string>();

/**
 * The directory to work on. `--repo DIR` is taken as given (it must be a directory): a package of
 * a monorepo can be a harness root of its own. Without it, the nearest directory from here up to
 * the top of the git repository that already holds harness files (`.harness/`, `task-list.md`,
 * `harness.config.*`), else the top of the git repository (the way git itself finds the repo from
 * a subdirectory), else the current directory.
 */
async function repoDirOf(ctx: CommandContext): Promise<string> {
  const known = repoDirs.get(ctx);
  if (known) return known;
  let dir: string;
  if (typeof ctx.opts.repo === 'string') {
    dir = path.resolve(ctx.opts.repo);
    const info = await stat(dir).catch(() => null);
    if (!info) {
      throw new HarnessError('BAD_USAGE', `--repo ${ctx.opts.repo}: no such directory`, {
        hint: 'pass the directory of the repository to work on, or run the command inside it without --repo',
      });
    }
    if (!info.isDirectory())
      throw new HarnessError('BAD_USAGE', `--repo ${ctx.opts.repo}: not a directory`, { hint: 'pass the directory of the repository to work on' });
  } else {
    dir = await enclosingRoot(process.cwd());
    if (path.resolve(dir) !== path.resolve(process.cwd()) && ctx.opts.json !== true) {
      ctx.io.err.write(`· working in ${dir} (found from the current directory; pass --repo to choose)\n`);
    }
  }
  repoDirs.set(ctx, dir);
  return dir;
}

// Kept here, not imported from the config loader: that would load zod for every command's start-up.
const ROOT_MARKERS = ['.harness', 'task-list.md', 'harness.config.ts', 'harness.config.mts', 'harness.config.js', 'harness.config.mjs'];

async function enclosingRoot(cwd: string): Promise<string> {
  const { readGitState } = await import('../git/git-state.js');
  const { top } = await readGitState(cwd);
  if (top === null) return cwd;
  const stopAt = path.resolve(top);
  for (let d = path.resolve(cwd); ; d = path.dirname(d)) {
    if (ROOT_MARKERS.some((m) => existsSync(path.join(d, m)))) return d;
    if (d === stopAt || path.dirname(d) === d) break;
  }
  return stopAt;
}

/** Repo and config only: what read-only commands need (no git, no SDK loaded). */
async function openConfig(ctx: CommandContext) {
  const repoDir = await repoDirOf(ctx);
  const { loadConfig } = await import('../config/load.js');
  const loaded = await loadConfig(repoDir, {
    ...(typeof ctx.opts.config === 'string' ? { file: ctx.opts.config } : {}),
    overrides: overrides(ctx.opts),
    flags: FLAGS,
  });
  return { repoDir, loaded };
}

interface OpenOptions {
  initGit?: boolean;
  quiet?: boolean;
  /** The command may commit: refuse a merge/rebase in progress, warn on a detached HEAD. */
  commits?: boolean;
}

async function open(ctx: CommandContext, options: OpenOptions = {}) {
  const { repoDir, loaded } = await openConfig(ctx);
  const reporter = createReporter(ctx.io, { quiet: options.quiet ?? false });
  if (options.commits) {
    const { readGitState, assertNoGitOperation, detachedHeadWarning } = await import('../git/git-state.js');
    const { commitHooks } = await import('../git/hooks.js');
    const state = await readGitState(repoDir);
    assertNoGitOperation(state); // before anything is read or written: the index stays as it is
    if (state.detachedAt) reporter.warn(detachedHeadWarning(state.detachedAt));
    if (state.isRepo && !loaded.config.git.hooks) {
      const hooks = await commitHooks(repoDir);
      if (hooks.length > 0) {
        reporter.info(`git hooks (${hooks.join(', ')}) are not run on harness commits; set \`git: { hooks: true }\` in the config to run them`);
      }
    }
  }
  const { openWorkspace } = await import('../pipeline/workspace.js');
  const sources = {
    ...(typeof ctx.opts.model === 'string' ? { model: FLAGS.model } : {}),
    ...(typeof ctx.opts.maxTokens === 'number' ? { maxTokens: FLAGS.maxTokens } : {}),
  };
  const ws = await openWorkspace({
    repoDir,
    config: loaded.config,
    configFile: loaded.file,
    reporter,
    initGit: options.initGit ?? false,
    stop: ctx.stop.stop,
    sources,
  });
  return { ws, reporter };
}

/**
 * Runs `fn` holding the repo lock. The first SIGINT/SIGTERM asks for a stop: `fn` stops at its next
 * safe point (or finishes, for steps that cannot be cut), the lock is released as the process ends,
 * and the message says what still runs on the server and how to resume; the exit code is 130
 * (SIGINT) or 143 (SIGTERM). A second signal exits at once.
 */
async function locked<T>(ctx: CommandContext, ws: Workspace, command: string, fn: () => Promise<T>): Promise<T> {
  const { acquireLock, LOCK_FILE } = await import('../state/lock.js');
  const lock = await acquireLock(ws.repoDir, command);
  const handlers = onStopSignals(
    (reason) => {
      ctx.stop.request(reason);
      ctx.io.err.write(
        `\n! ${reason}: stopping at the next safe point (the step in hand finishes first). ${reason === 'SIGINT' ? 'Press Ctrl-C' : 'Send SIGTERM'} again to exit at once; the journal keeps the state consistent either way.\n`,
      );
    },
    (reason) => {
      ctx.io.err.write(`\n! ${reason} again: exiting now. Run \`harness run\` to finish whatever was cut off (the journal records it).\n`);
      try {
        rmSync(path.join(ws.repoDir, LOCK_FILE), { force: true });
      } catch {
        // the stale-lock check frees it anyway: this pid is gone
      }
      process.exit(stopExitCode(reason));
    },
  );
  let stopped: StopRequested | null = null;
  let stepFailed = false;
  let result: T | undefined;
  try {
    result = await fn();
  } catch (error) {
    if (isStopRequested(error)) stopped = error;
    else if (ctx.stop.stop.reason) {
      // A terminal's Ctrl-C also reaches the git processes the harness runs: a step that failed
      // because of the signal is reported, then the stop as usual (the journal lets the next run
      // finish that step).
      printError(ctx.io, error);
      stepFailed = true;
      stopped = new StopRequested(ctx.stop.stop.reason);
    } else throw error;
  } finally {
    handlers.dispose();
    await lock.release();
  }
  const reason = stopped?.reason ?? ctx.stop.stop.reason;
  if (reason) await printStopped(ctx, ws, reason, stepFailed);
  if (stopped) throw new CommandExit(stopExitCode(stopped.reason));
  return result as T;
}

/** What a stopped command leaves: batches still running on the server, and how to go on. */
async function printStopped(ctx: CommandContext, ws: Workspace, reason: StopReason, stepFailed: boolean): Promise<void> {
  const { inFlight, readJournal } = await import('../state/journal.js');
  const journal = await readJournal(ws.repoDir).catch(() => null);
  const running = journal ? inFlight(journal) : [];
  const lines = [
    stepFailed
      ? `stopped by ${reason}; the step in hand failed (above): the next \`harness run\` finishes it from the journal.`
      : `stopped by ${reason}; nothing was left half-done.`,
  ];
  if (running.length > 0) {
    lines.push(
      `still running on the server (and billed as they finish): ${running.map((b) => b.batchId).join(', ')}`,
      'to resume: `harness run` (waits, collects and goes on), or `harness collect` later (collects what has ended, submits nothing); `harness cancel` stops them',
    );
  } else {
    lines.push('nothing is running on the server; `harness run` goes on from here');
  }
  ctx.io.err.write(lines.map((l) => `! ${l}\n`).join(''));
}

/** The exit code of a command that finished after a stop was requested (the work in hand ended normally). */
const stoppedCode = (ctx: CommandContext, code: number): number => (ctx.stop.stop.reason ? stopExitCode(ctx.stop.stop.reason) : code);

export const commands: CommandSpec[] = [
  {
    name: 'init',
    description: 'scan the repo, plan and commit task-list.md, submit the first batch (without waiting)',
    options: [
      { flags: '--spec <file>', description: 'what to build: a task list or a Markdown spec' },
      { flags: '--planner <name>', description: 'how to make the task list', choices: ['list', 'mirror', 'llm'] },
      { flags: '--no-submit', description: 'plan and commit task-list.md, submit nothing' },
      { flags: '--dry-run', description: 'write the exact requests under .harness/dry-run/, spend nothing, change nothing in git' },
      { flags: '--allow-dirty', description: 'overwrite files with uncommitted changes' },
      ...modelOptions,
    ],
    async run(ctx) {
      const dryRun = ctx.opts.dryRun === true;
      const repoDir = await repoDirOf(ctx);
      const before = await initState(repoDir);
      try {
        const { ws, reporter } = await open(ctx, { initGit: !dryRun, commits: !dryRun });
        const { initRepo } = await import('../pipeline/init.js');
        const result = await locked(ctx, ws, 'init', () =>
          initRepo(ws, {
            ...(typeof ctx.opts.spec === 'string' ? { spec: ctx.opts.spec } : {}),
            ...(typeof ctx.opts.planner === 'string' ? { planner: ctx.opts.planner as 'list' } : {}),
            noSubmit: ctx.opts.submit === false,
            dryRun,
            allowDirty: ctx.opts.allowDirty === true,
          }),
        );
        reporter.done();
        if (result.dryRun) printDryRun(ctx.io, ws, result.dryRun);
        else if (result.run) await printRunSummary(ctx.io, ws, result.run);
        else ctx.io.out.write(`task-list.md: ${plural(result.tasks, 'task')} committed; nothing submitted (--no-submit)\n`);
        return stoppedCode(ctx, 0);
      } catch (error) {
        await undoFailedInit(repoDir, before);
        throw error;
      }
    },
  },
  {
    name: 'run',
    description: 'continuation passes: collect, submit pending, wait, until nothing is left',
    options: [
      { flags: '--once', description: 'one submit-wait-collect cycle' },
      { flags: '--detach', description: 'collect what has ended, submit what is pending, exit without waiting' },
      { flags: '--dry-run', description: 'write the exact requests for pending tasks under .harness/dry-run/, spend nothing' },
      { flags: '--retry-failed', description: 'put every failed task back to pending (attempts from zero) before the pass' },
      { flags: '--allow-dirty', description: 'overwrite files with uncommitted changes' },
      ...modelOptions,
    ],
    async run(ctx) {
      if (ctx.opts.once === true && ctx.opts.detach === true) {
        throw new HarnessError('BAD_USAGE', '--once and --detach cannot be used together', {
          hint: '--once waits for one submit-wait-collect cycle; --detach never waits: pick one',
        });
      }
      const dryRun = ctx.opts.dryRun === true;
      const { ws, reporter } = await open(ctx, { commits: !dryRun });
      const { runPasses, runPreflight } = await import('../pipeline/run.js');
      await runPreflight(ws, { dryRun }); // before the lock: a failed check leaves nothing behind
      const result = await locked(ctx, ws, 'run', () =>
        runPasses(ws, {
          once: ctx.opts.once === true,
          detach: ctx.opts.detach === true,
          dryRun,
          allowDirty: ctx.opts.allowDirty === true,
          retryFailed: ctx.opts.retryFailed === true,
        }),
      );
      reporter.done();
      if (result.dryRun) printDryRun(ctx.io, ws, result.dryRun);
      else await printRunSummary(ctx.io, ws, result);
      return stoppedCode(ctx, result.exitCode);
    },
  },
  {
    name: 'status',
    description: 'tasks, batches, tokens and cost (never calls the API)',
    options: [{ flags: '--json', description: 'one JSON document on stdout (its shape: docs/json.md)' }],
    async run(ctx) {
      try {
        const { repoDir, loaded } = await openConfig(ctx);
        const { resolveModel } = await import('../models/models.js');
        const { buildStatus } = await import('../pipeline/status.js');
        const model = resolveModel(loaded.config.model, loaded.config.models, loaded.file ? path.relative(repoDir, loaded.file) : 'defaults');
        const status = await buildStatus(repoDir, model);
        if (ctx.opts.json === true) ctx.io.out.write(JSON.stringify(status, null, 2) + '\n');
        else printStatus(ctx.io, status);
        return 0;
      } catch (error) {
        if (ctx.opts.json !== true) throw error;
        const { zeroUsage } = await import('../cost/usage.js');
        const empty: Omit<StatusReport, 'model'> & { model: string | null } = {
          tasks: [],
          counts: { pending: 0, submitted: 0, done: 0, failed: 0 },
          batches: [],
          calls: [],
          usage: zeroUsage(),
          cost_usd: 0,
          naive_sync_cost_usd: 0,
          cache_read_share: 0,
          model: null,
        };
        return printJsonError(ctx.io, error, empty);
      }
    },
  },
  {
    name: 'collect',
    description: 'collect batches that have ended (never submits)',
    async run(ctx) {
      const { ws, reporter } = await open(ctx, { commits: true });
      const { collectOnly } = await import('../pipeline/collect-command.js');
      await preflightIfInFlight(ws);
      const result = await locked(ctx, ws, 'collect', () => collectOnly(ws));
      reporter.done();
      const files = result.collected.reduce((s, c) => s + c.files, 0);
      ctx.io.out.write(
        result.collected.length === 0
          ? `nothing to collect (${plural(result.waiting, 'batch', 'batches')} still in flight)\n`
          : `collected ${plural(result.collected.length, 'batch', 'batches')}: ${plural(files, 'file')}; ${result.waiting} still in flight\n`,
      );
      return stoppedCode(ctx, 0);
    },
  },
  {
    name: 'cancel',
    description: 'cancel batches in flight; what finished is collected, the rest goes back to pending',
    options: [
      {
        flags: '--forget <batch>',
        description:
          'give up a batch the API does not know (another workspace, deleted, archived): its tasks go back to pending; the API is not called',
      },
    ],
    async run(ctx) {
      if (typeof ctx.opts.forget === 'string') {
        const { ws, reporter } = await open(ctx, { commits: true });
        const { forgetBatch } = await import('../pipeline/cancel.js');
        const forgotten = await locked(ctx, ws, 'cancel', () => forgetBatch(ws, String(ctx.opts.forget)));
        reporter.done();
        ctx.io.out.write(
          forgotten.already
            ? `${forgotten.batchId} was forgotten already; nothing changed\n`
            : `forgot ${forgotten.batchId}: ${plural(forgotten.tasks.length, 'task')} back to pending (the next \`harness run\` submits them)\n`,
        );
        return stoppedCode(ctx, 0);
      }
      const { ws, reporter } = await open(ctx, { commits: true });
      const { cancelInFlight } = await import('../pipeline/cancel.js');
      await preflightIfInFlight(ws);
      const result = await locked(ctx, ws, 'cancel', () => cancelInFlight(ws));
      reporter.done();
      ctx.io.out.write(
        result.canceled.length === 0 && result.collected.length === 0
          ? 'nothing in flight\n'
          : `canceled ${plural(result.canceled.length, 'batch', 'batches')}; collected ${result.collected.length}\n`,
      );
      return stoppedCode(ctx, 0);
    },
  },
  {
    name: 'retry',
    description: 'put tasks (failed, done or any) back to pending, attempts from zero: the next run generates them again',
    args: [{ name: '<path...>', description: 'task paths, as task-list.md lists them' }],
    async run(ctx) {
      const { ws, reporter } = await open(ctx);
      const { retryTasks } = await import('../pipeline/retry.js');
      const paths = (ctx.args as unknown[]).flat().map(String);
      const result = await locked(ctx, ws, 'retry', () => retryTasks(ws, paths));
      reporter.done();
      if (result.retried.length > 0) ctx.io.out.write(`back to pending: ${result.retried.join(', ')}; run \`harness run\` to generate them\n`);
      if (result.alreadyPending.length > 0) ctx.io.out.write(`already pending: ${result.alreadyPending.join(', ')}\n`);
      return stoppedCode(ctx, 0);
    },
  },
  {
    name: 'estimate',
    description: 'tokens and cost of submitting what is pending now, before any spend',
    options: [{ flags: '--json', description: 'one JSON document on stdout (its shape: docs/json.md)' }, ...modelOptions],
    async run(ctx) {
      try {
        const { ws } = await open(ctx, { quiet: ctx.opts.json === true });
        const { estimatePending } = await import('../pipeline/estimate.js');
        const report = await estimatePending(ws);
        if (ctx.opts.json === true) ctx.io.out.write(JSON.stringify(report, null, 2) + '\n');
        else printEstimate(ctx.io, report);
        return 0;
      } catch (error) {
        if (ctx.opts.json !== true) throw error;
        const { emptyEstimate } = await import('../pipeline/estimate.js');
        return printJsonError(ctx.io, error, emptyEstimate());
      }
    },
  },
  {
    name: 'refine',
    description: 'rewrite one generated file with a synchronous streaming call, then commit it',
    args: [{ name: '<path>', description: 'the file to rewrite (a task path)' }],
    options: [
      { flags: '--message <text>', description: 'what to change' },
      { flags: '--force', description: 'allow a path that is not in the task list' },
      { flags: '--allow-dirty', description: 'overwrite the file even if it has uncommitted changes (they go into the refine commit)' },
    ],
    async run(ctx) {
      const { ws, reporter } = await open(ctx, { commits: true });
      if (typeof ctx.opts.message !== 'string' || ctx.opts.message.trim() === '') {
        throw new HarnessError('BAD_USAGE', 'refine needs --message TEXT');
      }
      const { refineFile } = await import('../pipeline/refine.js');
      const result = await locked(ctx, ws, 'refine', () =>
        refineFile(ws, {
          path: ctx.args[0]!,
          message: String(ctx.opts.message),
          force: ctx.opts.force === true,
          allowDirty: ctx.opts.allowDirty === true,
          onText: () => {},
        }),
      );
      reporter.done();
      ctx.io.out.write(`refined ${result.path} (${plural(result.outputTokens, 'output token')}, $${result.costUsd.toFixed(4)})\n`);
      return stoppedCode(ctx, 0);
    },
  },
  {
    name: 'emulator',
    description: 'the local Anthropic API emulator (loopback), for the demo, tests and offline work',
    options: [
      { flags: '--port <n>', description: 'port (0 = any free port)', parse: intArg('--port') },
      { flags: '--data <dir>', description: 'keep batches and results here (they survive a restart)' },
      { flags: '--processing-ms <n>', description: 'simulated processing time of a batch', parse: intArg('--processing-ms') },
      { flags: '--faults <file>', description: 'fault injection config (JSON)' },
      { flags: '--responder <module>', description: 'module whose default export answers requests' },
    ],
    async run(ctx) {
      const { serveEmulator } = await import('../emulator/index.js');
      const o = ctx.opts;
      await serveEmulator({
        ...(typeof o.port === 'number' ? { port: o.port } : {}),
        ...(typeof o.data === 'string' ? { data: path.resolve(o.data) } : {}),
        ...(typeof o.processingMs === 'number' ? { processingMs: o.processingMs } : {}),
        ...(typeof o.faults === 'string' ? { faults: path.resolve(o.faults) } : {}),
        ...(typeof o.responder === 'string' ? { responder: path.resolve(o.responder) } : {}),
      });
      return 0;
    },
  },
];

/** Collect and cancel call the API only when something is in flight (or an intent is unresolved). */
async function preflightIfInFlight(ws: Workspace): Promise<void> {
  const { inFlight, readJournal } = await import('../state/journal.js');
  const journal = await readJournal(ws.repoDir);
  if (inFlight(journal).length > 0 || journal.batches.some((b) => b.batchId === null && !b.abandoned)) await ws.preflight();
}

interface InitState {
  hadGit: boolean;
  hadState: boolean;
  head: string | null;
}

async function initState(repoDir: string): Promise<InitState> {
  const { readGitState } = await import('../git/git-state.js');
  const git = await readGitState(repoDir);
  return { hadGit: git.isRepo, hadState: existsSync(path.join(repoDir, '.harness')), head: git.head };
}

/**
 * A failed init leaves the repo as it was: when it committed nothing, the `.harness/` folder it made
 * (lock, context snapshot) goes, and so does a repository it created with `git init`. A paid plan
 * kept after a failed check (the journal records the call) is never removed.
 */
async function undoFailedInit(repoDir: string, before: InitState): Promise<void> {
  try {
    const { readGitState } = await import('../git/git-state.js');
    const now = await readGitState(repoDir);
    if (now.head !== before.head) return; // something was committed: that is history now
    const state = path.join(repoDir, '.harness');
    if (['journal.jsonl', 'plan.md'].some((f) => existsSync(path.join(state, f)))) return;
    const { rm } = await import('node:fs/promises');
    if (!before.hadState && existsSync(state)) await rm(state, { recursive: true, force: true });
    if (!before.hadGit && now.isRepo && now.head === null && existsSync(path.join(repoDir, '.git'))) {
      await rm(path.join(repoDir, '.git'), { recursive: true, force: true });
    }
  } catch {
    // best effort: the error being reported is the one that matters
  }
}
