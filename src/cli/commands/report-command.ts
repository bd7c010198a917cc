/** `harness report`: the job as one self-contained HTML page (and a Markdown summary); never calls the API. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Workspace } from '../../pipeline/workspace.js';
import type { CommandContext, CommandSpec } from './command-spec.js';
import { openConfig } from './open-workspace.js';

export const reportCommand: CommandSpec = {
  name: 'report',
  description: 'write the job as one self-contained HTML page (default .harness/report.html; never calls the API)',
  options: [
    { flags: '--out <file>', description: 'write the page here instead (relative to the current directory)' },
    { flags: '--open', description: "open the page with the platform's opener (xdg-open, open, start)" },
    { flags: '--markdown <file>', description: 'append a Markdown summary to FILE (e.g. "$GITHUB_STEP_SUMMARY"); \'-\' prints it' },
  ],
  async run(ctx) {
    const { repoDir, loaded } = await openConfig(ctx);
    const { resolveModel } = await import('../../models/models.js');
    const { writeReport, openerFor } = await import('../../report-page/report-effect.js');
    const model = resolveModel(loaded.config.model, loaded.config.models, loaded.file ? path.relative(repoDir, loaded.file) : 'defaults');
    const markdown = typeof ctx.opts.markdown === 'string' ? ctx.opts.markdown : undefined;
    const file = await writeReport(repoDir, model, {
      ...(typeof ctx.opts.out === 'string' ? { out: path.resolve(ctx.opts.out) } : {}),
      ...(markdown ? { markdown: markdown === '-' ? '-' : path.resolve(markdown) } : {}),
      write: (text) => ctx.io.out.write(text),
      env: ctx.io.env,
    });
    const shown = path.relative(process.cwd(), file);
    // With `--markdown -` stdout holds the summary alone.
    (markdown === '-' ? ctx.io.err : ctx.io.out).write(`report written to ${shown.startsWith('..') || shown === '' ? file : shown}\n`);
    if (ctx.opts.open === true) {
      const opener = openerFor(process.platform);
      const child = spawn(opener.command, opener.args(file), { detached: true, stdio: 'ignore' });
      child.on('error', (error) => ctx.io.err.write(`could not open the report with ${opener.command}: ${error.message}\n`));
      child.unref();
    }
    return 0;
  },
};

/** The page every `run` leaves at `.harness/report.html`; failing to write it only warns (the run's exit code stands). */
export async function writeRunReport(io: CommandContext['io'], ws: Pick<Workspace, 'repoDir' | 'model'>, options: { json: boolean }): Promise<void> {
  try {
    const { writeReport } = await import('../../report-page/report-effect.js');
    const file = await writeReport(ws.repoDir, ws.model, { env: io.env });
    // With --json stdout holds the one document.
    (options.json ? io.err : io.out).write(`report: ${path.relative(ws.repoDir, file)}\n`);
  } catch (error) {
    io.err.write(`warning: the report page was not written: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}
