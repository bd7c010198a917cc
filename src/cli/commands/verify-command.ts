/** `harness verify`: run the verify command now, record it, mark the tasks it names for repair; submits nothing. */
import { HarnessError } from '../../shared/errors.js';
import type { CommandSpec } from './command-spec.js';
import { open } from './open-workspace.js';
import { locked, stoppedCode } from './repo-lock.js';

export const verifyCommand: CommandSpec = {
  name: 'verify',
  description: 'run verify.command now and mark the tasks it names for repair (never submits)',
  async run(ctx) {
    const { ws, reporter } = await open(ctx, { commits: true });
    if (ws.config.verify.command === undefined) {
      throw new HarnessError('BAD_USAGE', 'no verify command configured', { hint: 'set verify.command in harness.config.mjs' });
    }
    const { verifyNow, verifySummary } = await import('../../verify/verify-effect.js');
    const { journalStore } = await import('../../state/journal.js');
    const event = await locked(ctx, ws, 'verify', () => verifyNow(ws, journalStore(ws.repoDir)));
    reporter.done();
    const repairs = Object.keys(event.repairs).length;
    ctx.io.out.write(`verify: ${verifySummary(event)}${repairs > 0 ? ' (`harness run` submits the repairs)' : ''}\n`);
    return stoppedCode(ctx, event.passed ? 0 : 3);
  },
};
