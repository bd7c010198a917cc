/** `harness refine`: rewrite one generated file with a synchronous streaming call, then commit it. */
import { HarnessError } from '../../shared/errors.js';
import { plural } from '../render.js';
import type { CommandSpec } from './command-spec.js';
import { open } from './open-workspace.js';
import { locked, stoppedCode } from './repo-lock.js';

export const refineCommand: CommandSpec = {
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
    const { refineFile } = await import('../../pipeline/refine.js');
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
};
