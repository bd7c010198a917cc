/** `harness doctor`: a preflight against the configured API before a big first job (docs/commands.md). */
import type { DoctorReport } from '../../pipeline/doctor.js';
import { colorsFor, printJsonError, table, type Output } from '../render.js';
import type { CommandSpec } from './command-spec.js';
import { intArg, modelOptions } from './flags.js';
import { open } from './open-workspace.js';

export const doctorCommand: CommandSpec = {
  name: 'doctor',
  description: 'preflight against the configured API: key, model, token count, window, long context, betas (spends nothing unless --probe-batch)',
  options: [
    {
      flags: '--probe-batch',
      description:
        'also submit a one-request batch with the configured betas and max_tokens (and, above 200K input tokens, one small streaming call); costs a little',
    },
    {
      flags: '--probe-wait <seconds>',
      description: 'longest wait for the probe batch before it is canceled (default 600)',
      parse: intArg('--probe-wait', 1),
    },
    { flags: '--json', description: 'one JSON document on stdout (its shape: docs/json.md)' },
    ...modelOptions,
  ],
  async run(ctx) {
    const json = ctx.opts.json === true;
    try {
      const { ws, reporter } = await open(ctx, { quiet: json });
      const { runDoctor } = await import('../../pipeline/doctor.js');
      const probeWait = typeof ctx.opts.probeWait === 'number' ? ctx.opts.probeWait : 600;
      const report = await runDoctor(ws, { probeBatch: ctx.opts.probeBatch === true, probeWaitMs: probeWait * 1000 });
      reporter.done();
      if (json) ctx.io.out.write(JSON.stringify(report, null, 2) + '\n');
      else printDoctor(ctx.io, report);
      return report.exit_code;
    } catch (error) {
      if (!json) throw error;
      const empty: Omit<DoctorReport, 'model' | 'base_url' | 'max_tokens'> & { model: null; base_url: null; max_tokens: null } = {
        model: null,
        base_url: null,
        max_tokens: null,
        betas: [],
        checks: [],
        exit_code: 1,
      };
      return printJsonError(ctx.io, error, empty);
    }
  },
};

function printDoctor(io: Output, r: DoctorReport): void {
  const c = colorsFor(io.out, io.env);
  const mark = { ok: c.green('ok'), warn: c.yellow('warn'), fail: c.red('FAIL'), skip: c.dim('skip') } as const;
  io.out.write(
    `doctor: model ${r.model}, max_tokens ${r.max_tokens}${r.betas.length > 0 ? `, betas ${r.betas.join(',')}` : ''}, API ${r.base_url}\n`,
  );
  io.out.write(
    table(
      r.checks.map((row) => [row.name, mark[row.status], row.detail]),
      ['check', 'status', 'detail'],
    ) + '\n',
  );
  const failed = r.checks.filter((row) => row.status === 'fail').length;
  io.out.write(failed === 0 ? 'no check failed\n' : c.red(`${failed} check${failed === 1 ? '' : 's'} failed\n`));
}
