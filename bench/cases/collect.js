// Case 2: collect a 1 GB results file served by the emulator, and a 3 GB one: the harness's own
// code path (collectEnded via a Workspace: download, JSONL decode, split, write every file, the
// task list, the journal, the commit) in a child process, against the physical limit of that work
// on the same machine (collect-baseline.js: read the same results file from disk, write the same
// files with fsync, `git add` + `git commit` them), run side by side with it in a fresh repo each.
// Targets: ≥ 0.5× the baseline's MB/s, peak RSS < 256 MB, and flat (3 GB within 10 % of 1 GB).
// Both sizes have the same number of results and tasks (2,560 × 8 files at scale 1) with results
// three times larger, so RSS measures what streaming keeps, not how many tasks there are. The raw
// HTTP read of the same bytes is an information row.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeBatchResults } from '../lib/results-gen.js';
import { child, git, log, MB, median, removeDir, ROOT, tempDir } from '../lib/util.js';

const CHILD = path.join(ROOT, 'bench', 'cases', 'collect-child.js');
const BASELINE = path.join(ROOT, 'bench', 'cases', 'collect-baseline.js');
const GB = 1024 * MB;

function targetRepo(requests) {
  const dir = tempDir('collect-repo');
  git(dir, 'init', '-q', '--initial-branch=main');
  git(dir, 'config', 'gc.auto', '0');
  git(dir, 'config', 'maintenance.auto', 'false');
  const lines = ['# Tasks', ''];
  let group = null;
  for (const r of requests) {
    for (const p of r.paths) {
      const g = path.posix.dirname(p);
      if (g !== group) {
        lines.push('', `## ${g}`, '');
        group = g;
      }
      lines.push(`- [ ] \`${p}\` — generated module ${path.posix.basename(p, '.ts')}`);
    }
  }
  writeFileSync(path.join(dir, 'task-list.md'), `${lines.join('\n')}\n`);
  writeFileSync(path.join(dir, 'README.md'), '# collect bench\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'task list');
  return dir;
}

export default {
  id: 'collect',
  title: 'collect 1 GB and 3 GB of results',
  async run({ scale, runs }) {
    const { startEmulator } = await import('../../dist/emulator/index.js');
    const results = Math.max(8, Math.round(2560 * scale));
    const filesPerResult = 8;
    const sizes = [
      { label: '1 GB', bytes: Math.round(GB * scale) },
      { label: '3 GB', bytes: Math.round(3 * GB * scale) },
    ];
    const measured = [];
    for (const size of sizes) {
      const dataDir = tempDir('collect-emu');
      const id = `msgbatch_bench${size.label.replace(' ', '')}`;
      const t0 = performance.now();
      const gen = writeBatchResults(dataDir, { id, results, filesPerResult, resultBytes: Math.floor(size.bytes / results) });
      log(
        `  ${size.label}: ${(gen.bytes / MB).toFixed(0)} MB of results (${results} results × ${filesPerResult} files of ${(gen.fileBytes / 1024).toFixed(0)} KB) written in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
      const emulator = await startEmulator({ dataDir });
      try {
        const url = `${emulator.url}/v1/messages/batches/${id}/results`;
        const raw = [];
        for (let r = 0; r < runs; r++) raw.push(await child(CHILD, ['raw', url]));
        if (raw.some((x) => x.bytes !== gen.bytes)) throw new Error(`raw read got ${raw.map((x) => x.bytes)} bytes, expected ${gen.bytes}`);
        // The collect, in a fresh repo each time: the harness as it is (since fc632c2 it decodes the
        // results with its own linear JSONL decoder), and, with BENCH_COLLECT_DETAIL=1, the bench's
        // copy of that decoder plugged in as the API (a cross-check; see collect-child.js).
        const collectIn = async (mode) => {
          const repo = targetRepo(gen.requests);
          const specFile = path.join(dataDir, `spec-${mode}.json`);
          writeFileSync(specFile, JSON.stringify({ url: emulator.url, batchId: id, repo, requests: gen.requests }));
          const res = await child(CHILD, [mode, specFile]);
          if (res.files !== gen.files) throw new Error(`${mode} wrote ${res.files} files, expected ${gen.files}`);
          res.committed = git(repo, 'show', '--name-only', '--format=', 'HEAD').trim().split('\n').length;
          removeDir(repo);
          return res;
        };
        const specFile = path.join(dataDir, 'spec.json');
        writeFileSync(specFile, JSON.stringify({ url: emulator.url, batchId: id, requests: gen.requests }));
        // Decoding alone (every line parsed, nothing done), the SDK's decoder vs a linear one:
        // BENCH_COLLECT_DETAIL=1, first size only.
        const detail = !!process.env.BENCH_COLLECT_DETAIL;
        const first = measured.length === 0;
        const sdk = detail && first ? await child(CHILD, ['sdk', specFile]) : null;
        const linear = detail && first ? await child(CHILD, ['linear', specFile]) : null;
        // The physical limit, then the collect, side by side (the machine is shared: read the ratio),
        // `runs` times each, alternating; the medians are reported (times, MB/s and peak RSS: one
        // run's RSS moves by ±10 MB with the moments V8 happens to collect garbage).
        const bases = [];
        const collects = [];
        for (let r = 0; r < runs; r++) {
          const baseRepo = targetRepo(gen.requests);
          const baseSpec = path.join(dataDir, 'spec-baseline.json');
          writeFileSync(baseSpec, JSON.stringify({ file: gen.file, repo: baseRepo, requests: gen.requests }));
          const b = await child(BASELINE, [baseSpec]);
          if (b.files !== gen.files) throw new Error(`the baseline wrote ${b.files} files, expected ${gen.files}`);
          removeDir(baseRepo);
          bases.push(b);
          collects.push(await collectIn('collect'));
        }
        const byMs = (xs) => xs.slice().sort((x, y) => x.ms - y.ms)[Math.floor((xs.length - 1) / 2)];
        const base = byMs(bases);
        const collect = { ...byMs(collects), maxRss: median(collects.map((c) => c.maxRss)), maxRssRuns: collects.map((c) => c.maxRss) };
        const collectLinear = detail ? await collectIn('collect-linear') : null;
        const committed = collect.committed;
        const rawMs = median(raw.map((x) => x.ms));
        const m = {
          size,
          bytes: gen.bytes,
          files: gen.files,
          committed,
          rawMBs: gen.bytes / MB / (rawMs / 1000),
          rawRss: Math.max(...raw.map((x) => x.maxRss)),
          baseMs: base.ms,
          baseMBs: gen.bytes / MB / (base.ms / 1000),
          baseRss: base.maxRss,
          basePhases: base.phases,
          collectPhases: collect.phases,
          // The largest RSS sampled in each phase of the collect: where the peak falls.
          collectPhasePeakRss: collect.phasePeakRss,
          sdkMBs: sdk ? gen.bytes / MB / (sdk.ms / 1000) : null,
          sdkRss: sdk?.maxRss ?? null,
          linearMBs: linear ? gen.bytes / MB / (linear.ms / 1000) : null,
          linearRss: linear?.maxRss ?? null,
          collectLinearMs: collectLinear?.ms ?? null,
          collectLinearMBs: collectLinear ? gen.bytes / MB / (collectLinear.ms / 1000) : null,
          collectLinearRss: collectLinear?.maxRss ?? null,
          collectMs: collect.ms,
          collectMBs: gen.bytes / MB / (collect.ms / 1000),
          collectRss: collect.maxRss,
          collectMemPeak: collect.memPeak,
          collectRssRuns: collect.maxRssRuns,
          runs,
        };
        const mbs = (v, rss) => `${v.toFixed(0)} MB/s (RSS ${(rss / MB).toFixed(0)} MB)`;
        const phases = (p) =>
          Object.entries(p)
            .map(([k, v]) => `${k.replace(/Ms$/, '')} ${(v / 1000).toFixed(1)} s`)
            .join(', ');
        log(
          `  ${size.label}: raw read ${mbs(m.rawMBs, m.rawRss)}` +
            `; physical limit ${(base.ms / 1000).toFixed(1)} s = ${mbs(m.baseMBs, m.baseRss)} (${phases(base.phases)})` +
            (sdk ? `; decode only: SDK ${mbs(m.sdkMBs, m.sdkRss)}, linear ${mbs(m.linearMBs, m.linearRss)}` : '') +
            `; collect ${(collect.ms / 1000).toFixed(1)} s = ${mbs(m.collectMBs, m.collectRss)}` +
            (runs > 1 ? ` [RSS of the ${runs} runs: ${collect.maxRssRuns.map((x) => (x / MB).toFixed(0)).join(', ')} MB]` : '') +
            (collectLinear
              ? `; with the linear decoder ${(collectLinear.ms / 1000).toFixed(1)} s = ${mbs(m.collectLinearMBs, m.collectLinearRss)}`
              : '') +
            ` (${phases(collect.phases)})` +
            `; collect's peaks: heap ${(collect.memPeak.heapTotal / MB).toFixed(0)} MB (used ${(collect.memPeak.heapUsed / MB).toFixed(0)}), external ${(collect.memPeak.external / MB).toFixed(0)} MB ` +
            `(${collect.files} files, ${committed} paths committed)`,
        );
        measured.push(m);
      } finally {
        await emulator.close();
        removeDir(dataDir);
      }
    }
    const rows = [];
    for (const m of measured) {
      rows.push({
        key: `collect.${m.size.label.replace(' ', '')}.throughput`,
        case: `2 collect ${(m.bytes / MB).toFixed(0)} MB (${m.files.toLocaleString('en-US')} files)`,
        vs: 'read file + write & fsync + git add & commit',
        unit: 'MB/s',
        ours: m.collectMBs,
        baseline: m.baseMBs,
        ratio: m.collectMBs / m.baseMBs,
        rss: m.collectRss,
        baselineRss: m.baseRss,
        target: '≥ 0.5×',
        pass: m.collectMBs / m.baseMBs >= 0.5,
        details: m,
      });
      rows.push({
        key: `collect.${m.size.label.replace(' ', '')}.raw`,
        case: `2 raw HTTP read of the ${(m.bytes / MB).toFixed(0)} MB results`,
        vs: 'the collect',
        unit: 'MB/s',
        ours: m.rawMBs,
        baseline: m.collectMBs,
        ratio: null,
        rss: m.rawRss,
        target: 'info',
        pass: null,
      });
      if (m.collectLinearMBs !== null)
        rows.push({
          key: `collect.${m.size.label.replace(' ', '')}.linear`,
          case: `2 collect ${(m.bytes / MB).toFixed(0)} MB, bench's linear decoder plugged in (cross-check)`,
          vs: 'read file + write & fsync + git add & commit',
          unit: 'MB/s',
          ours: m.collectLinearMBs,
          baseline: m.baseMBs,
          ratio: m.collectLinearMBs / m.baseMBs,
          rss: m.collectLinearRss,
          target: 'info',
          pass: null,
        });
      rows.push({
        key: `collect.${m.size.label.replace(' ', '')}.rss`,
        case: `2 collect ${(m.bytes / MB).toFixed(0)} MB peak RSS`,
        vs: '256 MB',
        unit: 'MB',
        ours: m.collectRss / MB,
        baseline: 256,
        ratio: m.collectRss / MB / 256,
        rss: m.collectRss,
        target: '< 256 MB',
        pass: m.collectRss < 256 * MB,
      });
    }
    if (measured.length === 2) {
      const [a, b] = measured;
      rows.push({
        key: 'collect.flat',
        case: `2 collect RSS ${(b.bytes / MB).toFixed(0)} MB vs ${(a.bytes / MB).toFixed(0)} MB`,
        vs: `${(a.bytes / MB).toFixed(0)} MB run`,
        unit: 'MB',
        ours: b.collectRss / MB,
        baseline: a.collectRss / MB,
        ratio: b.collectRss / a.collectRss,
        rss: b.collectRss,
        target: 'within 10 %',
        pass: Math.abs(b.collectRss / a.collectRss - 1) <= 0.1,
      });
    }
    return rows;
  },
};
