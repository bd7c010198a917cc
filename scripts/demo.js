#!/usr/bin/env node
// The whole job offline: start the built-in API emulator on a loopback port, copy an example repo
// to a scratch directory, run `harness init --no-submit` (the llm planner plans from the spec, in
// stages: models → services → routes → tests) and `harness run`, then print what each stage's
// requests read (the emulator's placeholder files name the earlier stages' files their request
// carried), the task table, the cost report and the git log.
// Verify and repair: the scratch repo gets `verify: { command: 'tsc --noEmit' }` and a tsconfig.json,
// and the emulator answers src/models/user.ts with a type error until a request quotes tsc's
// message (defectResponder): tsc fails naming the file after stage 1, the file goes back to the
// model with its error in a repair batch, tsc passes, and the repair's cost is printed apart.
// Run it with `npm run demo` (which builds first); `npm run demo -- --no-stages` drops the
// `Stage N:` prefixes from the planned headings first, to compare with a run in one stage.
// Nothing here talks to the real API.
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defectResponder, startEmulator } from '../dist/emulator/index.js';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const bin = path.join(root, 'bin', 'harness.js');
const staged = !process.argv.includes('--no-stages');

const scratch = await mkdtemp(path.join(os.tmpdir(), 'harness-demo-'));
const repo = path.join(scratch, 'orders-service');
await cp(path.join(root, 'examples', 'microservice'), repo, { recursive: true, filter: (src) => !src.split(path.sep).includes('node_modules') });

// Verify with the TypeScript compiler of this checkout (its node_modules/.bin goes on PATH below).
const REPAIRED = 'src/models/user.ts';
const TSC_MESSAGE = "error TS2322: Type 'string' is not assignable to type 'number'.";
const DEFECT = "export const maxRetries: number = 'three'; // the emulator's defect: a type error, until a request quotes tsc's message";
const tsconfig = {
  compilerOptions: {
    strict: true,
    noEmit: true,
    module: 'nodenext',
    target: 'es2022',
    skipLibCheck: true,
    typeRoots: [path.join(root, 'node_modules', '@types')],
    types: ['node'],
  },
  include: ['src'],
};
await writeFile(path.join(repo, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
const configFile = path.join(repo, 'harness.config.ts');
const config = await readFile(configFile, 'utf8');
if (!config.includes('} satisfies HarnessConfigInput;')) throw new Error(`cannot add verify to ${configFile}`);
await writeFile(
  configFile,
  config.replace('} satisfies HarnessConfigInput;', "  verify: { command: 'tsc --noEmit', repairs: 2 },\n} satisfies HarnessConfigInput;"),
);

const emulator = await startEmulator({
  dataDir: path.join(scratch, 'emulator'),
  processingMs: 1500,
  responder: defectResponder({ path: REPAIRED, diagnostic: TSC_MESSAGE, defect: DEFECT }),
});
console.log(`emulator on ${emulator.url} (offline: no request leaves this machine)`);
console.log(`scratch repo: ${repo}`);
console.log(`verify: tsc --noEmit (harness.config.ts verify.command, tsconfig.json over src/); the emulator writes a type error into ${REPAIRED}\n`);

const env = {
  ...process.env,
  ANTHROPIC_BASE_URL: emulator.url,
  ANTHROPIC_API_KEY: 'demo-key-not-a-secret',
  HARNESS_POLL_MS: '500',
  PATH: `${path.join(root, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
  GIT_AUTHOR_NAME: process.env.GIT_AUTHOR_NAME ?? 'harness demo',
  GIT_AUTHOR_EMAIL: process.env.GIT_AUTHOR_EMAIL ?? 'demo@localhost',
  GIT_COMMITTER_NAME: process.env.GIT_COMMITTER_NAME ?? 'harness demo',
  GIT_COMMITTER_EMAIL: process.env.GIT_COMMITTER_EMAIL ?? 'demo@localhost',
};

const step = (title, cmd, args, options = {}) =>
  new Promise((resolve, reject) => {
    if (!options.quiet) console.log(`\n$ ${title}`);
    const child = spawn(cmd, args, { cwd: repo, env, stdio: options.capture ? ['ignore', 'pipe', 'inherit'] : 'inherit' });
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve(options.capture ? { code: code ?? 1, out } : (code ?? 1)));
  });
const harness = (title, args) => step(title, process.execPath, [bin, ...args]);

let failed = false;
try {
  for (const [title, args] of [
    ['harness init --planner llm --spec spec.md --no-submit', ['init', '--planner', 'llm', '--spec', 'spec.md', '--no-submit']],
    ...(staged ? [] : [['(--no-stages) drop the Stage N: prefixes from task-list.md', null]]),
    ['harness run', ['run']],
  ]) {
    if (args === null) {
      console.log(`\n$ ${title}`);
      const file = path.join(repo, 'task-list.md');
      await writeFile(file, (await readFile(file, 'utf8')).replace(/^## Stage \d+: /gm, '## '));
      await step('git commit task-list.md', 'git', ['commit', '-q', '-m', 'one stage', '--', 'task-list.md'], { quiet: true });
      continue;
    }
    const code = await harness(title, args);
    if (code !== 0) {
      failed = true;
      console.error(`\n${title} exited with ${code}`);
      break;
    }
  }
  // What each request read: the placeholder files name the earlier stages' files their request carried.
  console.log('\n$ grep -r "Read from earlier stages" src test   # what the requests of each stage read');
  const { out: read } = await step('grep', 'git', ['grep', '-e', 'Read from earlier stages', '--', 'src', 'test'], { capture: true, quiet: true });
  const lines = read.trim() === '' ? [] : read.trim().split('\n');
  if (lines.length === 0) console.log('(none: every request saw only the codebase snapshot taken before the run)');
  for (const line of lines) console.log(line.replace(/:(\/\/|#|<!--) /, ': ').replace(/ -->$/, ''));

  await harness('harness status', ['status']);
  const { out: json } = await step('status --json', process.execPath, [bin, 'status', '--json'], { capture: true, quiet: true });
  const s = JSON.parse(json);
  const tasks = s.batches.filter((b) => b.purpose === 'tasks');
  const requests = s.batches.reduce((n, b) => n + b.requests, 0);
  console.log(
    `\n${staged ? 'staged' : 'one stage'}: ${s.batches.length} batches (${tasks.length} of tasks, ${s.batches.filter((b) => b.purpose === 'repair').length} repair), ${requests} requests, ` +
      `${s.calls.length} planner call; cost $${s.cost_usd.toFixed(4)} in all, of which batches $${s.batches.reduce((n, b) => n + (b.cost_usd ?? 0), 0).toFixed(4)}`,
  );
  // The repair round: what tsc said, what the repair cost.
  const events = (await readFile(path.join(repo, '.harness', 'journal.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  console.log('\n$ the verifications (journal: verified events)');
  for (const e of events.filter((x) => x.type === 'verified')) {
    const named = Object.entries(e.repairs).map(([p, ls]) => `\n    ${p} back to the model with: ${ls.join(' | ')}`);
    console.log(`  ${e.at} ${e.command}: ${e.passed ? 'passed' : `exit ${e.exitCode}`}${named.join('')}`);
  }
  const repairs = s.batches.filter((b) => b.purpose === 'repair');
  const fixed = (await readFile(path.join(repo, REPAIRED), 'utf8')).includes('maxRetries') ? 'still broken' : 'type-checks now';
  console.log(
    `repair round: ${repairs.length} batch (${repairs.reduce((n, b) => n + b.tasks, 0)} task: ${REPAIRED}, ${fixed}), ` +
      `$${s.repair_cost_usd.toFixed(4)} of the $${s.cost_usd.toFixed(4)} in all`,
  );
  await step('git log --oneline', 'git', ['log', '--oneline']);
} finally {
  await emulator.close();
}
console.log(`\nThe generated repo stays in ${repo}`);
process.exitCode = failed ? 1 : 0;
