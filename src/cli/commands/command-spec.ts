/** The shape of a command: what main.ts turns into a commander command, and what its action gets. */
import type { StopController } from '../../shared/signals.js';
import type { Output } from '../render.js';

export interface CommandContext {
  opts: Record<string, unknown>;
  args: string[];
  io: Output;
  /** Set by the first Ctrl-C / SIGTERM while the command holds the repo lock. */
  stop: StopController;
}

export interface CommandSpec {
  name: string;
  description: string;
  args?: { name: string; description: string }[];
  options?: { flags: string; description: string; choices?: string[]; parse?: (v: string) => unknown }[];
  run(ctx: CommandContext): Promise<number>;
}

/** Ends a command with this exit code after its message was printed (a stop by a signal). */
export class CommandExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'CommandExit';
  }
}
