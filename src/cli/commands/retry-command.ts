/** `harness retry`: put tasks back to pending, attempts from zero. */
import type { CommandSpec } from './command-spec.js';
import { open } from './open-workspace.js';
import { locked, stoppedCode } from './repo-lock.js';

export const retryCommand: CommandSpec = {
  name: 'retry',
  description: 'put tasks (failed, done or any) back to pending, attempts from zero: the next run generates them again',
  args: [{ name: '<path...>', description: 'task paths, as task-list.md lists them' }],
  async run(ctx) {
    const { ws, reporter } = await open(ctx);
    const { retryTasks } = await import('../../pipeline/retry-tasks.js');
    const paths = (ctx.args as unknown[]).flat().map(String);
    const result = await locked(ctx, ws, 'retry', () => retryTasks(ws, paths));
    reporter.done();
    if (result.retried.length > 0) ctx.io.out.write(`back to pending: ${result.retried.join(', ')}; run \`harness run\` to generate them\n`);
    if (result.alreadyPending.length > 0) ctx.io.out.write(`already pending: ${result.alreadyPending.join(', ')}\n`);
    return stoppedCode(ctx, 0);
  },
};
