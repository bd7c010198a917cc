/** `harness run`: continuation passes (collect, submit pending, wait) until nothing is left. */
import { HarnessError } from '../../shared/errors.js';
import { printJsonError } from '../render.js';
import { printDryRun, printRunSummary } from '../report.js';
import type { CommandContext, CommandSpec } from './command-spec.js';
import { writeRunReport } from './report-command.js';
import { modelOptions } from './flags.js';
import { open } from './open-workspace.js';
import { locked, stoppedCode } from './repo-lock.js';

export const runCommand: CommandSpec = {
  name: 'run',
  description: 'continuation passes: collect, submit pending, wait, until nothing is left',
  options: [
    { flags: '--once', description: 'one submit-wait-collect cycle' },
    { flags: '--detach', description: 'collect what has ended, submit what is pending, exit without waiting' },
    { flags: '--dry-run', description: 'write the exact requests for pending tasks under .harness/dry-run/, spend nothing' },
    { flags: '--retry-failed', description: 'put every failed task back to pending (attempts from zero) before the pass' },
    { flags: '--allow-dirty', description: 'overwrite files with uncommitted changes' },
    { flags: '--json', description: 'one JSON document on stdout at the end (its shape: docs/json.md); progress stays on stderr' },
    ...modelOptions,
  ],
  async run(ctx) {
    if (ctx.opts.json !== true) return runNow(ctx);
    try {
      return await runNow(ctx);
    } catch (error) {
      const { emptyRunJson } = await import('../../pipeline/run.js');
      return printJsonError(ctx.io, error, emptyRunJson());
    }
  },
};

async function runNow(ctx: CommandContext): Promise<number> {
  if (ctx.opts.once === true && ctx.opts.detach === true) {
    throw new HarnessError('BAD_USAGE', '--once and --detach cannot be used together', {
      hint: '--once waits for one submit-wait-collect cycle; --detach never waits: pick one',
    });
  }
  const dryRun = ctx.opts.dryRun === true;
  const { ws, reporter } = await open(ctx, { commits: !dryRun });
  const { runPasses, runPreflight, runResultJson } = await import('../../pipeline/run.js');
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
  if (ctx.opts.json === true) ctx.io.out.write(JSON.stringify(runResultJson(result), null, 2) + '\n');
  else if (result.dryRun) printDryRun(ctx.io, ws, result.dryRun);
  else await printRunSummary(ctx.io, ws, result);
  if (!result.dryRun) await writeRunReport(ctx.io, ws, { json: ctx.opts.json === true });
  return stoppedCode(ctx, result.exitCode);
}
