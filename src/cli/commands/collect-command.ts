/** `harness collect`: collect the batches that have ended; never submits. */
import { plural } from '../render.js';
import type { CommandSpec } from './command-spec.js';
import { open, preflightIfInFlight } from './open-workspace.js';
import { locked, stoppedCode } from './repo-lock.js';

export const collectCommand: CommandSpec = {
  name: 'collect',
  description: 'collect batches that have ended (never submits)',
  async run(ctx) {
    const { ws, reporter } = await open(ctx, { commits: true });
    const { collectOnly } = await import('../../pipeline/collect-only.js');
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
};
