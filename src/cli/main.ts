/**
 * The `harness` program: commander@14 (the last major on Node 20). Each command is a thin action
 * that loads its pipeline lazily (start-up stays fast), renders results, and returns an exit code.
 * One error handler prints a typed error once with its exit code (docs/exit-codes.md).
 */
import { Command, CommanderError, Option } from 'commander';
import { printError, type Output } from './render.js';
import { CommandExit, commands } from './commands/index.js';
import { createStopController } from '../shared/signals.js';

export async function main(argv: string[], io: Output = { out: process.stdout, err: process.stderr, env: process.env }): Promise<number> {
  let code: number = 0;
  const program = new Command('harness')
    .description(
      "Generate and rewrite whole codebases with Claude's long-output Message Batches API:\nresumable, prompt-cached, committed to git after every batch.",
    )
    .version(await version(), '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => io.out.write(s),
      writeErr: (s) => io.err.write(s),
    })
    .exitOverride();

  for (const spec of commands) {
    const cmd = program.command(spec.name).description(spec.description).exitOverride();
    for (const arg of spec.args ?? []) cmd.argument(arg.name, arg.description);
    cmd.option('--repo <dir>', 'target repository (default: the one around the current directory)');
    cmd.option('--config <file>', 'config file (default: harness.config.{ts,mts,js,mjs} in the repo)');
    for (const o of spec.options ?? []) {
      const opt = new Option(o.flags, o.description);
      if (o.choices) opt.choices(o.choices);
      if (o.parse) opt.argParser(o.parse);
      cmd.addOption(opt);
    }
    cmd.action(async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const positional = args.slice(0, spec.args?.length ?? 0) as string[];
      const ctx = { opts: command.opts(), args: positional, io, stop: createStopController() };
      code = await spec.run(ctx);
    });
  }

  // `harness status | head`: when the reader goes away, stop writing quietly instead of dying with an
  // EPIPE stack trace. Work in hand (a run) goes on; its output has nowhere to go.
  const quietOnEpipe = (stream: NodeJS.WritableStream) => {
    if (stream !== process.stdout && stream !== process.stderr) return;
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  };
  quietOnEpipe(io.out);
  quietOnEpipe(io.err);

  try {
    await program.parseAsync(argv);
    return code;
  } catch (error) {
    if (error instanceof CommandExit) return error.exitCode; // stopped by a signal: already reported
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      return 2; // bad usage; commander already printed the message (or the help, when no command was given)
    }
    return printError(io, error);
  }
}

async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
