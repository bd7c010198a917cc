// Shared helpers of the bench: timing, child processes, temp dirs, git, formatting.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.join(ROOT, 'bin', 'harness.js');
export const MB = 1024 * 1024;

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

/** Git identity for every spawned process (commits need one; the machine may have none). */
export const GIT_ENV = {
  GIT_AUTHOR_NAME: 'harness bench',
  GIT_AUTHOR_EMAIL: 'bench@localhost',
  GIT_COMMITTER_NAME: 'harness bench',
  GIT_COMMITTER_EMAIL: 'bench@localhost',
  GIT_CONFIG_NOSYSTEM: '1',
};

export function git(cwd, ...args) {
  return execFileSync('git', args, { cwd, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8', maxBuffer: 256 * MB });
}

/** A fresh temp dir, removed by cleanup() (and at exit, whatever happens). */
const temps = new Set();
export function tempDir(prefix, { memory = false } = {}) {
  // `memory`: on /dev/shm when there is one (tmpfs: no disk noise, for measurements of CPU work).
  const base = memory && existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  const dir = mkdtempSync(path.join(base, `harness-bench-${prefix}-`));
  temps.add(dir);
  return dir;
}
export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  temps.delete(dir);
}
export function cleanupTemps() {
  for (const d of [...temps]) removeDir(d);
}
process.on('exit', () => {
  if (!process.env.BENCH_KEEP) cleanupTemps();
});

/**
 * Runs `node ...args` and resolves with its exit code, output and wall time (ms, from spawn to
 * exit). `json`: the last stdout line parsed as JSON (what the bench's child scripts print).
 */
export function runNode(args, { env = {}, cwd = ROOT, json = false, nodeArgs = [], timeoutMs = 20 * 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [...nodeArgs, ...args], {
      cwd,
      env: { ...process.env, ...GIT_ENV, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const ms = performance.now() - t0;
      const result = { code, stdout, stderr, ms };
      if (json) {
        const last = stdout.trim().split('\n').pop() ?? '';
        try {
          result.json = JSON.parse(last);
        } catch {
          reject(new Error(`node ${args.join(' ')} exited ${code} without a JSON result:\n${stderr.slice(-2000)}\n${stdout.slice(-500)}`));
          return;
        }
      }
      resolve(result);
    });
  });
}

/** A child bench script: runs it, fails loudly on a non-zero exit, returns its JSON. */
export async function child(script, args = [], options = {}) {
  // BENCH_PROFILE=1 (or --profile): every child runs under --cpu-prof, into bench/results/profiles/.
  const nodeArgs = process.env.BENCH_PROFILE
    ? [
        '--cpu-prof',
        '--cpu-prof-dir',
        path.join(ROOT, 'bench', 'results', 'profiles'),
        '--cpu-prof-name',
        `${path.basename(script, '.js')}-${args[0] ?? ''}-${Date.now()}.cpuprofile`,
      ]
    : [];
  const r = await runNode([script, ...args], { ...options, nodeArgs, json: true });
  if (r.code !== 0) throw new Error(`${path.basename(script)} ${args.join(' ')} exited ${r.code}: ${r.stderr.slice(-2000)}`);
  return { ...r.json, wallMs: r.ms };
}

export const fmtMs = (ms) =>
  ms === null || ms === undefined || Number.isNaN(ms)
    ? '—'
    : ms >= 10_000
      ? `${(ms / 1000).toFixed(1)} s`
      : ms >= 1000
        ? `${(ms / 1000).toFixed(2)} s`
        : `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;
export const fmtMiB = (bytes) => (bytes === null || bytes === undefined ? '—' : `${(bytes / MB).toFixed(0)} MB`);

/** Peak RSS of this process in bytes (maxRSS is in KiB). */
export const maxRss = () => process.resourceUsage().maxRSS * 1024;

export function log(...args) {
  if (!process.env.BENCH_QUIET) console.error(...args);
}
