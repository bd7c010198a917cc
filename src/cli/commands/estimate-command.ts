/** `harness estimate`: tokens and cost of submitting what is pending now, before any spend. */
import { printJsonError } from '../render.js';
import { printEstimate } from '../report.js';
import type { CommandSpec } from './command-spec.js';
import { modelOptions } from './flags.js';
import { open } from './open-workspace.js';

export const estimateCommand: CommandSpec = {
  name: 'estimate',
  description: 'tokens and cost of submitting what is pending now, before any spend',
  options: [{ flags: '--json', description: 'one JSON document on stdout (its shape: docs/json.md)' }, ...modelOptions],
  async run(ctx) {
    try {
      const { ws } = await open(ctx, { quiet: ctx.opts.json === true });
      const { estimatePending } = await import('../../pipeline/estimate-pending.js');
      const report = await estimatePending(ws);
      if (ctx.opts.json === true) ctx.io.out.write(JSON.stringify(report, null, 2) + '\n');
      else printEstimate(ctx.io, report);
      return 0;
    } catch (error) {
      if (ctx.opts.json !== true) throw error;
      const { emptyEstimate } = await import('../../pipeline/estimate-pending.js');
      return printJsonError(ctx.io, error, emptyEstimate());
    }
  },
};
