/**
 * The commands of CONTRACT section 3. Each action: resolve repo + config (flags override the file),
 * open the workspace, take the repo lock when it changes anything, run one pipeline, render.
 */
import path from 'node:path';
import type { HarnessConfigInput } from '../config/schema.js';
import { HarnessError } from '../shared/errors.js';
import type { Workspace } from '../pipeline/workspace.js';
import { createReporter, type Output } from './render.js';
import { printRunSummary, printStatus, printDryRun, printEstimate } from './report.js';

export interface CommandContext {
  opts: Record<string, unknown>;
  args: string[];
  io: Output;
}

export interface CommandSpec {
  name: string;
  description: string;
  args?: { name: string; description: string }[];
  options?: { flags: string; description: string; choices?: string[]; parse?: (v: string) => unknown }[];
  run(ctx: CommandContext): Promise<number>;
}

const intArg = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new HarnessError('BAD_USAGE', `${flag} needs a whole number, got "${v}"`);
  return n;
};

const modelOptions = [
  { flags: '--model <id>', description: 'model id (overrides the config)' },
  { flags: '--max-tokens <n>', description: 'max_tokens per batch request (overrides the config)', parse: intArg('--max-tokens') },
];

function overrides(opts: Record<string, unknown>): HarnessConfigInput {
  const o: HarnessConfigInput = {};
  if (typeof opts.model === 'string') o.model = opts.model;
  if (typeof opts.maxTokens === 'number') o.maxTokens = opts.maxTokens;
  if (typeof opts.planner === 'string') o.planner = opts.planner as 'list' | 'mirror' | 'llm';
  return o;
}

/** Repo and config only: what read-only commands need (no git, no SDK loaded). */
async function openConfig(ctx: CommandContext) {
  const repoDir = path.resolve(String(ctx.opts.repo ?? '.'));
  const { loadConfig } = await import('../config/load.js');
  const loaded = await loadConfig(repoDir, {
    ...(typeof ctx.opts.config === 'string' ? { file: ctx.opts.config } : {}),
    overrides: overrides(ctx.opts),
  });
  return { repoDir, loaded };
}

async function open(ctx: CommandContext, options: { initGit?: boolean; quiet?: boolean } = {}) {
  const { repoDir, loaded } = await openConfig(ctx);
  const { openWorkspace } = await import('../pipeline/workspace.js');
  const reporter = createReporter(ctx.io, { quiet: options.quiet ?? false });
  const ws = await openWorkspace({ repoDir, config: loaded.config, configFile: loaded.file, reporter, initGit: options.initGit ?? false });
  return { ws, reporter };
}

/** Runs `fn` holding the repo lock. */
async function locked<T>(ws: Workspace, command: string, fn: () => Promise<T>): Promise<T> {
  const { acquireLock } = await import('../state/lock.js');
  const lock = await acquireLock(ws.repoDir, command);
  const release = () => void lock.release();
  process.once('SIGINT', release);
  process.once('SIGTERM', release);
  try {
    return await fn();
  } finally {
    process.off('SIGINT', release);
    process.off('SIGTERM', release);
    await lock.release();
  }
}

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
      const { ws, reporter } = await open(ctx, { initGit: !dryRun });
      const { initRepo } = await import('../pipeline/init.js');
      const result = await locked(ws, 'init', () =>
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
      else if (result.run) printRunSummary(ctx.io, ws, result.run);
      else ctx.io.out.write(`task-list.md: ${result.tasks} tasks committed; nothing submitted (--no-submit)\n`);
      return 0;
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
      const { ws, reporter } = await open(ctx);
      const { runPasses } = await import('../pipeline/run.js');
      const result = await locked(ws, 'run', () =>
        runPasses(ws, {
          once: ctx.opts.once === true,
          detach: ctx.opts.detach === true,
          dryRun: ctx.opts.dryRun === true,
          allowDirty: ctx.opts.allowDirty === true,
          retryFailed: ctx.opts.retryFailed === true,
        }),
      );
      reporter.done();
      if (result.dryRun) printDryRun(ctx.io, ws, result.dryRun);
      else await printRunSummary(ctx.io, ws, result);
      return result.exitCode;
    },
  },
  {
    name: 'status',
    description: 'tasks, batches, tokens and cost (never calls the API)',
    options: [{ flags: '--json', description: 'one JSON document on stdout (CONTRACT section 10)' }],
    async run(ctx) {
      const { repoDir, loaded } = await openConfig(ctx);
      const { resolveModel } = await import('../models/models.js');
      const { buildStatus } = await import('../pipeline/status.js');
      const model = resolveModel(loaded.config.model, loaded.config.models, loaded.file ?? 'defaults');
      const status = await buildStatus(repoDir, model);
      if (ctx.opts.json === true) ctx.io.out.write(JSON.stringify(status, null, 2) + '\n');
      else printStatus(ctx.io, status);
      return 0;
    },
  },
  {
    name: 'collect',
    description: 'collect batches that have ended (never submits)',
    async run(ctx) {
      const { ws, reporter } = await open(ctx);
      const { collectOnly } = await import('../pipeline/collect-command.js');
      const result = await locked(ws, 'collect', () => collectOnly(ws));
      reporter.done();
      ctx.io.out.write(
        result.collected.length === 0
          ? `nothing to collect (${result.waiting} batch(es) still in flight)\n`
          : `collected ${result.collected.length} batch(es): ${result.collected.reduce((s, c) => s + c.files, 0)} files; ${result.waiting} still in flight\n`,
      );
      return 0;
    },
  },
  {
    name: 'cancel',
    description: 'cancel batches in flight; what finished is collected, the rest goes back to pending',
    options: [
      {
        flags: '--forget <batch>',
        description: 'give up a batch the API does not know (another workspace, deleted, archived): its tasks go back to pending; the API is not called',
      },
    ],
    async run(ctx) {
      if (typeof ctx.opts.forget === 'string') {
        const { ws, reporter } = await open(ctx);
        const { forgetBatch } = await import('../pipeline/cancel.js');
        const forgotten = await locked(ws, 'cancel', () => forgetBatch(ws, String(ctx.opts.forget)));
        reporter.done();
        ctx.io.out.write(
          forgotten.already
            ? `${forgotten.batchId} was forgotten already; nothing changed\n`
            : `forgot ${forgotten.batchId}: ${forgotten.tasks.length} task(s) back to pending (the next \`harness run\` submits them)\n`,
        );
        return 0;
      }
      const { ws, reporter } = await open(ctx);
      const { cancelInFlight } = await import('../pipeline/cancel.js');
      const result = await locked(ws, 'cancel', () => cancelInFlight(ws));
      reporter.done();
      ctx.io.out.write(
        result.collected.length === 0 ? 'nothing in flight\n' : `canceled ${result.canceled.length} batch(es); collected ${result.collected.length}\n`,
      );
      return 0;
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
      const result = await locked(ws, 'retry', () => retryTasks(ws, paths));
      reporter.done();
      if (result.retried.length > 0) ctx.io.out.write(`back to pending: ${result.retried.join(', ')}; run \`harness run\` to generate them\n`);
      if (result.alreadyPending.length > 0) ctx.io.out.write(`already pending: ${result.alreadyPending.join(', ')}\n`);
      return 0;
    },
  },
  {
    name: 'estimate',
    description: 'tokens and cost of submitting what is pending now, before any spend',
    options: [{ flags: '--json', description: 'one JSON document on stdout' }, ...modelOptions],
    async run(ctx) {
      const { ws } = await open(ctx, { quiet: ctx.opts.json === true });
      const { estimatePending } = await import('../pipeline/estimate.js');
      const report = await estimatePending(ws);
      if (ctx.opts.json === true) ctx.io.out.write(JSON.stringify(report, null, 2) + '\n');
      else printEstimate(ctx.io, report);
      return 0;
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
      const { ws, reporter } = await open(ctx);
      if (typeof ctx.opts.message !== 'string' || ctx.opts.message.trim() === '') {
        throw new HarnessError('BAD_USAGE', 'refine needs --message TEXT');
      }
      const { refineFile } = await import('../pipeline/refine.js');
      const result = await locked(ws, 'refine', () =>
        refineFile(ws, { path: ctx.args[0]!, message: String(ctx.opts.message), force: ctx.opts.force === true, allowDirty: ctx.opts.allowDirty === true, onText: () => {} }),
      );
      reporter.done();
      ctx.io.out.write(`refined ${result.path} (${result.outputTokens} output tokens, $${result.costUsd.toFixed(4)})\n`);
      return 0;
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
