#!/usr/bin/env node
// The whole job offline: start the built-in API emulator on a loopback port, copy an example repo
// to a scratch directory, run `harness init --no-submit` (the llm planner plans from the spec, in
// stages: models → services → routes → tests) and `harness run`, then print what each stage's
// requests read (the emulator's placeholder files name the earlier stages' files their request
// carried), the task table, the cost report and the git log.
// Run it with `npm run demo` (which builds first); `npm run demo -- --no-stages` drops the
// `Stage N:` prefixes from the planned headings first, to compare with a run in one stage.
// Nothing here talks to the real API.
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../dist/emulator/index.js';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const bin = path.join(root, 'bin', 'harness.js');
const staged = !process.argv.includes('--no-stages');

const scratch = await mkdtemp(path.join(os.tmpdir(), 'harness-demo-'));
const repo = path.join(scratch, 'orders-service');
await cp(path.join(root, 'examples', 'microservice'), repo, { recursive: true, filter: (src) => !src.split(path.sep).includes('node_modules') });

const emulator = await startEmulator({ dataDir: path.join(scratch, 'emulator'), processingMs: 1500 });
console.log(`emulator on ${emulator.url} (offline: no request leaves this machine)`);
console.log(`scratch repo: ${repo}\n`);

const env = {
  ...process.env,
  ANTHROPIC_BASE_URL: emulator.url,
  ANTHROPIC_API_KEY: 'demo-key-not-a-secret',
  HARNESS_POLL_MS: '500',
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
    `\n${staged ? 'staged' : 'one stage'}: ${s.batches.length} batches (${tasks.length} of tasks), ${requests} requests, ` +
      `${s.calls.length} planner call; cost $${s.cost_usd.toFixed(4)} in all, of which batches $${s.batches.reduce((n, b) => n + (b.cost_usd ?? 0), 0).toFixed(4)}`,
  );
  await step('git log --oneline', 'git', ['log', '--oneline']);
} finally {
  await emulator.close();
}
console.log(`\nThe generated repo stays in ${repo}`);
process.exitCode = failed ? 1 : 0;
