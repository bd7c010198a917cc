// Case 4: commit 10,000 generated files in one collect (src/git/commit.ts, `GitRepo.commit`: stage exactly
// these paths, commit only them, with trailers) against raw `git add --pathspec-from-file` +
// `git commit` of the same files in an identical repo. Target ≤ 1.5×.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { git, GIT_ENV, log, median, removeDir, tempDir } from '../lib/util.js';

function prepare(n, seed) {
  // In memory (tmpfs) when the machine has one: on this VM's disk, identical runs of either side
  // varied from 1.6 to 5.1 s, and the median ratio from 0.9× to 1.9× between whole runs.
  const dir = tempDir('commit', { memory: true });
  git(dir, 'init', '-q', '--initial-branch=main');
  // No background `gc --auto` (10,000 new loose objects trigger one) racing the next run and the clean-up.
  git(dir, 'config', 'gc.auto', '0');
  git(dir, 'config', 'maintenance.auto', 'false');
  writeFileSync(path.join(dir, 'README.md'), '# target\n');
  writeFileSync(path.join(dir, 'task-list.md'), '# Tasks\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'initial');
  const paths = [];
  for (let i = 0; i < n; i++) {
    const rel = `src/gen/m${String(Math.floor(i / 100)).padStart(3, '0')}/file${String(i).padStart(5, '0')}.ts`;
    if (i % 100 === 0) mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true });
    writeFileSync(
      path.join(dir, rel),
      `// ${rel} (${seed})\nexport function f${i}(x: number): number {\n  return x * ${i};\n}\n${'export const filler = "generated code of about a kilobyte";\n'.repeat(16)}`,
    );
    paths.push(rel);
  }
  writeFileSync(path.join(dir, 'task-list.md'), `# Tasks\n\n${paths.map((p) => `- [x] \`${p}\` — generated`).join('\n')}\n`);
  // Written back before the clock starts (when not in memory): the timed git would otherwise share
  // the disk with the write-back of these 10,000 files.
  execFileSync('sync');
  return { dir, paths: [...paths, 'task-list.md'] };
}

export default {
  id: 'commit',
  title: 'commit 10,000 generated files',
  async run({ scale, runs }) {
    const { openRepo } = await import('../../dist/git/repo.js');
    const n = Math.max(100, Math.round(10_000 * scale));
    const ours = [];
    const raw = [];
    const saved = {};
    for (const k of Object.keys(GIT_ENV)) {
      saved[k] = process.env[k];
      process.env[k] = GIT_ENV[k];
    }
    try {
      const oursOnce = async (r) => {
        const { dir, paths } = prepare(n, `ours${r}`);
        const t = performance.now();
        const repo = await openRepo(dir);
        const hash = await repo.commit(paths, `harness: collect msgbatch_bench (${n} files)`, {
          'Harness-Batch': 'msgbatch_bench',
          'Harness-Cost-USD': '1.0000',
        });
        const ms = performance.now() - t;
        if (!hash) throw new Error('commit made no commit');
        const count = Number(git(dir, 'show', '--name-only', '--format=', 'HEAD').trim().split('\n').length);
        if (count !== paths.length) throw new Error(`committed ${count} paths, expected ${paths.length}`);
        if (r >= 0) ours.push(ms);
        removeDir(dir);
      };
      const rawOnce = async (r) => {
        const { dir, paths } = prepare(n, `raw${r}`);
        const list = path.join(dir, '.git', 'bench-pathspec');
        writeFileSync(list, paths.join('\0'));
        const env = { ...process.env, ...GIT_ENV };
        const t = performance.now();
        execFileSync('git', ['add', `--pathspec-from-file=${list}`, '--pathspec-file-nul'], { cwd: dir, env });
        execFileSync('git', ['commit', '-q', '-m', `collect (${n} files)`], { cwd: dir, env });
        const ms = performance.now() - t;
        if (r >= 0) raw.push(ms);
        removeDir(dir);
      };
      // The disk is the noise here: the order alternates, so neither side always follows the
      // other's clean-up.
      for (let r = -1; r < Math.max(runs, 5); r++) {
        if (r % 2 === 0) {
          await oursOnce(r);
          await rawOnce(r);
        } else {
          await rawOnce(r);
          await oursOnce(r);
        }
      }
    } finally {
      for (const k of Object.keys(GIT_ENV)) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
    const o = median(ours);
    const b = median(raw);
    log(`  ours ${ours.map((x) => x.toFixed(0)).join(', ')} ms; raw ${raw.map((x) => x.toFixed(0)).join(', ')} ms`);
    return [
      {
        key: 'commit.10k',
        case: `4 commit ${n.toLocaleString('en-US')} files (GitRepo.commit)`,
        vs: 'git add + commit',
        unit: 'ms',
        ours: o,
        baseline: b,
        ratio: o / b,
        rss: null,
        target: '≤ 1.5×',
        pass: o / b <= 1.5,
        details: { ours, raw },
      },
    ];
  },
};
