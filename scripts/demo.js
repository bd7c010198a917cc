#!/usr/bin/env node
// The whole job offline: start the built-in API emulator on a loopback port, copy an example repo
// to a scratch directory, run `harness init` (the llm planner plans from the spec) and
// `harness run`, then print the task table, the cost report and the git log.
// Run it with `npm run demo` (which builds first). Nothing here talks to the real API.
import { spawn } from 'node:child_process';
import { cp, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../dist/emulator/index.js';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const bin = path.join(root, 'bin', 'harness.js');

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

const step = (title, cmd, args) =>
  new Promise((resolve, reject) => {
    console.log(`\n$ ${title}`);
    const child = spawn(cmd, args, { cwd: repo, env, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });

let failed = false;
try {
  for (const [title, args] of [
    ['harness init --planner llm --spec spec.md', ['init', '--planner', 'llm', '--spec', 'spec.md']],
    ['harness run', ['run']],
  ]) {
    const code = await step(title, process.execPath, [bin, ...args]);
    if (code !== 0) {
      failed = true;
      console.error(`\n${title} exited with ${code}`);
      break;
    }
  }
  await step('harness status', process.execPath, [bin, 'status']);
  await step('git log --oneline', 'git', ['log', '--oneline']);
} finally {
  await emulator.close();
}
console.log(`\nThe generated repo stays in ${repo}`);
process.exitCode = failed ? 1 : 0;
