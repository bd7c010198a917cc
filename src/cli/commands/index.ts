/**
 * The commands (docs/commands.md), in the order `harness --help` lists them. Each action: resolve
 * repo + config (flags override the file), open the workspace, take the repo lock when it changes
 * anything, run one pipeline, render.
 */
import { cancelCommand } from './cancel-command.js';
import { collectCommand } from './collect-command.js';
import { doctorCommand } from './doctor-command.js';
import type { CommandSpec } from './command-spec.js';
import { emulatorCommand } from './emulator-command.js';
import { estimateCommand } from './estimate-command.js';
import { initCommand } from './init-command.js';
import { refineCommand } from './refine-command.js';
import { reportCommand } from './report-command.js';
import { retryCommand } from './retry-command.js';
import { runCommand } from './run-command.js';
import { statusCommand } from './status-command.js';
import { verifyCommand } from './verify-command.js';

export { CommandExit, type CommandSpec } from './command-spec.js';

export const commands: CommandSpec[] = [
  initCommand,
  runCommand,
  statusCommand,
  collectCommand,
  cancelCommand,
  retryCommand,
  estimateCommand,
  refineCommand,
  verifyCommand,
  doctorCommand,
  reportCommand,
  emulatorCommand,
];
