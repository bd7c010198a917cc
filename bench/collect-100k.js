// A batch of 100,000 requests through the harness CLI, end to end, against the emulator, with the
// results download cut half-way (the emulator's `cut` fault): `harness run --detach` (plan, create),
// then once the batch has ended `harness collect` (download cut, resumed with a Range request,
// checked, 100,000 files written, one commit). Not part of `npm test` (minutes on 2 cores). Run
// after `npm run build`:
//
//   node bench/collect-100k.js                 # 100,000 requests
//   node bench/collect-100k.js --requests 5000 # smaller, for a quick look
//   node bench/collect-100k.js --no-cut        # without the cut
//
// Prints one JSON line: requests, wall time and peak RSS of each harness process, the results size, the results downloads the emulator served, and the checks (every file there with
// the placeholder content, one collect commit of every file, nothing left in .harness/results).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name) => process.argv.includes(name);
const argValue = (name, def) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? def : Number(process.argv[i + 1]);
};
const N = argValue('--requests', 100_000);
const CUT = !arg('--no-cut');

const { startEmulator, placeholderFile } = await import(path.join(ROOT, 'dist/emulator/index.js'));

const gitEnv = {
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
};
const git = (dir, ...args) => execFileSync('git', args, { cwd: dir, env: { ...process.env, ...gitEnv }, encoding: 'utf8', maxBuffer: 1 << 30 });

const tmp = mkdtempSync(path.join(process.env.TMPDIR ?? os.tmpdir(), 'harness-bench-100k-'));
const repo = path.join(tmp, 'repo');
const data = path.join(tmp, 'emulator');
mkdirSync(path.join(repo, 'src'), { recursive: true });
mkdirSync(path.join(repo, 'tpl'));

// Tasks: one per request (--max-tokens 8000 leaves room for one default-sized task), 100 per heading.
const tasks = Array.from({ length: N }, (_, i) => ({ path: `gen/d${Math.floor(i / 1000)}/f${i}.ts`, description: `file ${i}` }));
let list = '# Tasks\n';
tasks.forEach((t, i) => {
  if (i % 100 === 0) list += `\n## Group ${i / 100}\n\n`;
  list += `- [ ] \`${t.path}\` — ${t.description}\n`;
});
writeFileSync(path.join(repo, 'task-list.md'), list);
writeFileSync(path.join(repo, 'src/app.ts'), 'export const app = 1;\n');
// A short system prompt keeps 100,000 requests under the 256 MB create body.
writeFileSync(path.join(repo, 'tpl/system.md'), 'Write the files asked for, each in the section format.\n');
writeFileSync(path.join(repo, 'harness.config.mjs'), "export default { templatesDir: 'tpl', cache: { warmup: false } };\n");
git(repo, 'init', '-q', '--initial-branch=main');
git(repo, 'add', '-A');
git(repo, 'commit', '-q', '-m', 'initial');

const emulator = await startEmulator({
  dataDir: data,
  processingMs: 5_000,
  faults: CUT ? { http: [{ kind: 'cut', path: '/results$' }] } : {},
});

// Each harness process reports its own peak RSS on exit.
const rssHook = `data:text/javascript,${encodeURIComponent("process.on('exit', () => process.stderr.write('BENCH_RSS ' + process.resourceUsage().maxRSS + '\\n'));")}`;
async function harness(...args) {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', rssHook, path.join(ROOT, 'bin/harness.js'), ...args, '--repo', repo], {
    env: { ...process.env, ...gitEnv, NO_COLOR: '1', HARNESS_POLL_MS: '500', ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'bench' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stdout.resume();
  child.stderr.on('data', (d) => {
    stderr += d;
    if (!process.env.BENCH_QUIET) process.stderr.write(d);
  });
  const code = await new Promise((resolve) => child.on('close', resolve));
  return { code, ms: Math.round(performance.now() - t0), rssMb: Math.round(Number(/BENCH_RSS (\d+)/.exec(stderr)?.[1] ?? 0) / 1024) };
}

// 1. Plan and submit (run --detach), 2. wait for the batch to end, 3. download (cut, resumed) and collect.
const submit = await harness('run', '--detach', '--max-tokens', '8000');
const created = emulator.log().find((e) => e.method === 'POST' && e.path === '/v1/messages/batches')?.batchId;
for (;;) {
  const res = await fetch(`${emulator.url}/v1/messages/batches/${created}`, { headers: { 'x-api-key': 'bench', 'anthropic-version': '2023-06-01' } });
  if ((await res.json()).processing_status === 'ended') break;
  await new Promise((r) => setTimeout(r, 500));
}
const collect = await harness('collect');
const code = collect.code;

const gets = emulator.log().filter((e) => e.method === 'GET' && e.path.endsWith('/results'));
const batchId = gets[0]?.batchId;
const resultsBytes = batchId ? readFileSync(path.join(data, 'results', `${batchId}.jsonl`)).length : 0;
await emulator.close();

let missing = 0;
for (const t of tasks) {
  const file = path.join(repo, t.path);
  if (!existsSync(file) || readFileSync(file, 'utf8') !== placeholderFile(t.path, t.description)) missing++;
}
const collects = git(repo, 'log', '--format=%s')
  .split('\n')
  .filter((s) => s.startsWith('harness: collect'));
const resultsDir = path.join(repo, '.harness/results');
const out = {
  requests: N,
  cut: CUT,
  submit: { exit_code: submit.code, ms: submit.ms, max_rss_mb: submit.rssMb },
  collect: { exit_code: collect.code, ms: collect.ms, max_rss_mb: collect.rssMb },
  results_mb: Math.round((resultsBytes / 1e6) * 10) / 10,
  results_downloads: gets.map((e) => `${e.status}${e.fault ? ` ${e.fault}` : ''}`),
  files_wrong_or_missing: missing,
  collect_commits: collects,
  left_in_harness_results: existsSync(resultsDir) ? readdirSync(resultsDir).length : 0,
  git_status_clean: git(repo, 'status', '--porcelain') === '',
};
console.log(JSON.stringify(out));
if (!process.env.BENCH_KEEP) rmSync(tmp, { recursive: true, force: true });
process.exit(code === 0 && missing === 0 && collects.length === 1 && out.left_in_harness_results === 0 ? 0 : 1);
