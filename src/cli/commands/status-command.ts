/** `harness status`: tasks, batches, tokens and cost, read from the journal (never calls the API). */
import path from 'node:path';
import type { StatusReport } from '../../pipeline/status.js';
import { printJsonError } from '../render.js';
import { printStatus } from '../report.js';
import type { CommandSpec } from './command-spec.js';
import { openConfig } from './open-workspace.js';

export const statusCommand: CommandSpec = {
  name: 'status',
  description: 'tasks, batches, tokens and cost (never calls the API)',
  options: [{ flags: '--json', description: 'one JSON document on stdout (its shape: docs/json.md)' }],
  async run(ctx) {
    try {
      const { repoDir, loaded } = await openConfig(ctx);
      const { resolveModel } = await import('../../models/models.js');
      const { buildStatus } = await import('../../pipeline/status.js');
      const model = resolveModel(loaded.config.model, loaded.config.models, loaded.file ? path.relative(repoDir, loaded.file) : 'defaults');
      const status = await buildStatus(repoDir, model);
      if (ctx.opts.json === true) ctx.io.out.write(JSON.stringify(status, null, 2) + '\n');
      else printStatus(ctx.io, status);
      return 0;
    } catch (error) {
      if (ctx.opts.json !== true) throw error;
      const { zeroUsage } = await import('../../cost/usage.js');
      const empty: Omit<StatusReport, 'model'> & { model: string | null } = {
        tasks: [],
        counts: { pending: 0, submitted: 0, done: 0, failed: 0 },
        stage: null,
        stage_held: null,
        verify: null,
        batches: [],
        calls: [],
        usage: zeroUsage(),
        cost_usd: 0,
        repair_cost_usd: 0,
        naive_sync_cost_usd: 0,
        cache_read_share: 0,
        cache_hit_rate: null,
        warmups: [],
        model: null,
        context: null,
      };
      return printJsonError(ctx.io, error, empty);
    }
  },
};
