#!/usr/bin/env node
// `npm run bench` (builds first): every case of issue 8, a table of ours vs the baseline, and
// bench/results/latest.json. See bench/README.md for how to run it and read it.
//
//   node bench/run.js [case ...] [--runs N] [--scale X] [--quick] [--profile]
//
// Cases: scan collect task-list commit e2e cost startup (default: all, in that order).
// BENCH_SCALE / --scale multiplies every size (1 = the issue's sizes); BENCH_RUNS / --runs sets the
// runs per measurement (default 3); --quick = --scale 0.05 --runs 1.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanupTemps, fmtMiB, fmtMs, ROOT } from './lib/util.js';

const CASES = ['scan', 'collect', 'task-list', 'commit', 'e2e', 'cost', 'startup'];

function parseArgs(argv) {
  const o = {
    cases: [],
    runs: Number(process.env.BENCH_RUNS ?? 3),
    scale: Number(process.env.BENCH_SCALE ?? 1),
    profile: !!process.env.BENCH_PROFILE,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--scale') o.scale = Number(argv[++i]);
    else if (a === '--quick') {
      o.scale = 0.05;
      o.runs = 1;
    } else if (a === '--profile') o.profile = true;
    else if (a === '--help' || a === '-h') {
      console.log(
        readFileSync(new URL(import.meta.url), 'utf8')
          .split('\n')
          .slice(1, 10)
          .join('\n')
          .replace(/^\/\/ ?/gm, ''),
      );
      process.exit(0);
    } else if (CASES.includes(a)) o.cases.push(a);
    else throw new Error(`unknown argument ${a} (cases: ${CASES.join(', ')})`);
  }
  if (!(o.runs >= 1) || !(o.scale > 0)) throw new Error('--runs must be ≥ 1 and --scale > 0');
  o.runs = Math.round(o.runs);
  if (o.cases.length === 0) o.cases = CASES;
  if (o.profile) process.env.BENCH_PROFILE = '1';
  return o;
}

const fmtValue = (unit, v) => {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (unit === 'ms') return fmtMs(v);
  if (unit === 'MB/s') return `${v.toFixed(0)} MB/s`;
  if (unit === 'usd') return `$${v.toFixed(v < 1 ? 4 : 2)}`;
  if (unit === 'MB') return `${v.toFixed(0)} MB`;
  if (unit === 'req') return `${v.toFixed(0)} req`;
  if (unit === 'share') return `${(v * 100).toFixed(1)} %`;
  return `${v}`;
};
const fmtRatio = (r) => (r === null || r === undefined || Number.isNaN(r) ? '—' : `${r.toFixed(2)}×`);

function table(rows, previous) {
  const prev = new Map((previous?.rows ?? []).map((r) => [r.key, r]));
  const head = ['case', 'vs', 'ours (median)', 'baseline (median)', 'ratio', 'peak RSS', 'target', 'result'];
  if (previous) head.push(`previous (${previous.date?.slice(0, 10) ?? '?'})`);
  const lines = rows.map((r) => {
    const cells = [
      r.case,
      r.vs,
      fmtValue(r.unit, r.ours),
      fmtValue(r.baselineUnit ?? r.unit, r.baseline),
      fmtRatio(r.ratio),
      fmtMiB(r.rss),
      r.target,
      r.pass === null || r.pass === undefined ? 'info' : r.pass ? 'PASS' : 'FAIL',
    ];
    if (previous) {
      const p = prev.get(r.key);
      cells.push(
        p ? `${fmtValue(p.unit, p.ours)} / ${fmtRatio(p.ratio)} ${p.pass === null || p.pass === undefined ? '' : p.pass ? 'PASS' : 'FAIL'}` : '—',
      );
    }
    return cells;
  });
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [fmt(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(path.join(ROOT, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` (npm run bench does)');
  const resultsDir = path.join(ROOT, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const latestFile = path.join(resultsDir, 'latest.json');
  const baselineFile = path.join(resultsDir, 'baseline.json');
  const previousFile = existsSync(latestFile) ? latestFile : existsSync(baselineFile) ? baselineFile : null;
  const previous = previousFile ? JSON.parse(readFileSync(previousFile, 'utf8')) : null;

  console.error(
    `bench: cases ${opts.cases.join(', ')}; scale ${opts.scale}; runs ${opts.runs}; node ${process.version}; ` +
      `${os.cpus().length} cpus; ${(os.totalmem() / 2 ** 30).toFixed(0)} GB`,
  );
  const started = performance.now();
  const rows = [];
  const notes = [];
  const caseTimes = {};
  for (const id of opts.cases) {
    const mod = (await import(`./cases/${id}.js`)).default;
    console.error(`\n== ${id}: ${mod.title}`);
    const t0 = performance.now();
    try {
      const out = await mod.run({ scale: opts.scale, runs: opts.runs, profile: opts.profile });
      for (const r of out.rows ?? out) rows.push(r);
      for (const n of out.notes ?? []) notes.push(`${id}: ${n}`);
    } catch (error) {
      console.error(error);
      rows.push({
        key: `${id}.error`,
        case: id,
        vs: '',
        unit: 'ms',
        ours: null,
        baseline: null,
        ratio: null,
        rss: null,
        target: 'runs',
        pass: false,
        error: String(error?.stack ?? error),
      });
    } finally {
      cleanupTemps();
    }
    caseTimes[id] = performance.now() - t0;
    console.error(`   (${id}: ${fmtMs(caseTimes[id])})`);
  }
  const totalMs = performance.now() - started;

  const result = {
    version: 1,
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? null,
    memGB: Math.round(os.totalmem() / 2 ** 30),
    scale: opts.scale,
    runs: opts.runs,
    cases: opts.cases,
    totalMs,
    caseMs: caseTimes,
    rows,
    notes,
  };
  writeFileSync(latestFile, `${JSON.stringify(result, null, 2)}\n`);

  console.log(
    `\nbench ${result.date} — node ${process.version}, ${result.cpus} cpus (${result.cpuModel}), scale ${opts.scale}, ${opts.runs} run(s) each, ${fmtMs(totalMs)} in all`,
  );
  if (previous) console.log(`previous: ${path.relative(ROOT, previousFile)} (scale ${previous.scale}, ${previous.runs} run(s))`);
  console.log(table(rows, previous));
  if (notes.length > 0) console.log(`\n${notes.map((n) => `- ${n}`).join('\n')}`);
  const failed = rows.filter((r) => r.pass === false).length;
  console.log(
    `\n${rows.filter((r) => r.pass === true).length} PASS, ${failed} FAIL, ${rows.filter((r) => r.pass === null || r.pass === undefined).length} info — results in ${path.relative(ROOT, latestFile)}`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
