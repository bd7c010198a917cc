/** `harness cancel`: cancel the batches in flight, or forget one the API does not know (`--forget`). */
import { plural } from '../render.js';
import type { CommandSpec } from './command-spec.js';
import { open, preflightIfInFlight } from './open-workspace.js';
import { locked, stoppedCode } from './repo-lock.js';

export const cancelCommand: CommandSpec = {
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
      const { forgetBatch } = await import('../../pipeline/cancel.js');
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
    const { cancelInFlight } = await import('../../pipeline/cancel.js');
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
};
