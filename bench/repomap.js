#!/usr/bin/env node
// The repo map alone (src/repomap): outline every file, then assemble (graph, PageRank, render),
// on real sources from node_modules (default: the first 5,000 .ts/.js/.mjs/.cjs/.py/.go files under
// 512 KB, in path order) or on the generated 50,000-file tree of case 1 (`--generated N`), or on
// any directory (`--dir DIR`). Files are read before the clock starts; prints one JSON line with
// wall and CPU milliseconds (CPU is the figure to read on a loaded machine), map size and peak RSS.
// Not part of `npm run bench` yet: run after `npm run build`, e.g. `node bench/repomap.js`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { assembleRepoMap, outlineFile } from '../dist/repomap/repo-map.js';
import { generateRepo } from './lib/gen-repo.js';
import { removeDir, ROOT, tempDir } from './lib/util.js';

const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
};
const SOURCE = /\.(?:ts|tsx|js|mjs|cjs|py|go)$/;

/** Every file under `dir` (relative POSIX paths, sorted), `.git` left out. */
function walk(dir, filter = () => true) {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((p) => p.split(path.sep).join('/'))
    .filter((p) => !p.startsWith('.git/') && filter(p) && statSync(path.join(dir, p)).isFile())
    .sort();
}

let dir;
let paths;
let generated;
if (arg('--generated')) {
  dir = generated = tempDir('repomap');
  generateRepo(dir, Number(arg('--generated')));
  paths = walk(dir);
} else {
  dir = arg('--dir') ?? path.join(ROOT, 'node_modules');
  const limit = Number(arg('--files') ?? 5000);
  paths = walk(dir, (p) => SOURCE.test(p))
    .filter((p) => statSync(path.join(dir, p)).size < 512 * 1024)
    .slice(0, limit);
}

const files = paths.map((p) => ({ path: p, content: readFileSync(path.join(dir, p), 'utf8') }));
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const outlines = [];
for (const f of files) outlines.push(await outlineFile(f.path, f.content));
const t1 = performance.now();
const cpu1 = process.cpuUsage(cpu0);
const map = assembleRepoMap(outlines);
const t2 = performance.now();
const cpu2 = process.cpuUsage(cpu0);
const budgeted = assembleRepoMap(outlines, { maxTokens: 200_000 });
const ms = (c) => Math.round((c.user + c.system) / 1000);
console.log(
  JSON.stringify({
    files: files.length,
    mb: +(files.reduce((s, f) => s + Buffer.byteLength(f.content), 0) / 1e6).toFixed(1),
    outlined: outlines.filter((o) => o.declarations.length).length,
    outline_ms: Math.round(t1 - t0),
    outline_cpu_ms: ms(cpu1),
    assemble_ms: Math.round(t2 - t1),
    assemble_cpu_ms: ms(cpu2) - ms(cpu1),
    map_tokens: map.tokens,
    map_kb: Math.round(Buffer.byteLength(map.text) / 1024),
    map_200k_tokens: budgeted.tokens,
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
if (generated) removeDir(generated);
