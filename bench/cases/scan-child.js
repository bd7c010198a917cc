// One scan + pack in a fresh process: node bench/cases/scan-child.js <ours|map|plain|repomix> <dir> <outFile>
// Prints one JSON line: { ms (the work, after imports), loadMs, maxRss (bytes), files, ... }.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [mode, dir, out] = process.argv.slice(2);
const t0 = performance.now();
const result = {};

if (mode === 'ours' || mode === 'map') {
  const { scanAndPack } = await import('../../dist/repo/scan-pack.js');
  const { defaultConfig } = await import('../../dist/config/schema.js');
  const { repoMapFor } = mode === 'map' ? await import('../../dist/pipeline/repo-map-store.js') : {};
  // A new file, as the snapshot writes one (and renames it over the last): overwriting the last run's
  // would wait for its pages still being written back.
  rmSync(out, { force: true });
  const t1 = performance.now();
  // The harness's own snapshot step (src/pipeline/snapshot.ts) with the default config: scan, secret
  // scan and context block in one pass, the block written to a file (by the scan, while it checks
  // the secrets, as the snapshot has it write). (The window check is left out: 50,000 files do not
  // fit any model's window, and it only adds up token counts already made.) Map mode writes the map
  // instead.
  const packed = await scanAndPack(
    dir,
    {
      include: defaultConfig.include,
      exclude: defaultConfig.exclude,
      maxFileBytes: defaultConfig.scan.maxFileBytes,
      concurrency: defaultConfig.scan.concurrency,
    },
    { allow: [], env: {} },
    mode === 'ours' ? { out } : {},
  );
  const t2 = performance.now();
  // Map mode: the scan (secret scan included) then the repo map of its files, the map written to
  // the file; ours: the context block written.
  // As the snapshot builds it the first time (pipeline/repo-map-store.ts, nothing stored yet: every
  // file parsed, on every core), without a token budget; its state files go to a temp dir beside `out`.
  let map = null;
  if (mode === 'map') {
    const state = mkdtempSync(path.join(path.dirname(out), 'map-state-'));
    mkdirSync(path.join(state, '.harness'));
    map = await repoMapFor(state, packed.scan.files, packed.context.sha256, Number.MAX_SAFE_INTEGER);
  }
  const t3 = performance.now();
  if (map) writeFileSync(out, map.text);
  const t4 = performance.now();
  const { scan, context: ctx, findings } = packed;
  Object.assign(result, {
    loadMs: t1 - t0,
    ms: t4 - t1,
    phases: { ...packed.phases, ...(map ? { map: t3 - t2 } : {}), write: t4 - t3 },
    ...(map ? { mapBytes: Buffer.byteLength(map.text), mapTokens: map.tokens } : {}),
    files: scan.files.length,
    skipped: scan.skipped.length,
    findings: findings.length,
    bytes: ctx.bytes,
    tokens: ctx.tokens,
  });
} else if (mode === 'plain') {
  // The floor: walk the tree (readdir) and read every file as text; nothing else.
  const t1 = performance.now();
  let files = 0;
  let bytes = 0;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === '.git') continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        bytes += Buffer.byteLength(readFileSync(p, 'utf8'));
        files++;
      }
    }
  };
  walk(dir);
  Object.assign(result, { loadMs: t1 - t0, ms: performance.now() - t1, files, bytes });
} else if (mode === 'repomix') {
  const { runCli } = await import('repomix');
  const t1 = performance.now();
  // repomix's own CLI entry with its defaults (XML output, .gitignore, default ignores, the
  // secretlint security check, o200k token counts, git change sorting), quiet.
  const r = await runCli(['.'], dir, { output: out, quiet: true });
  const t2 = performance.now();
  const packed = r?.packResult;
  Object.assign(result, {
    loadMs: t1 - t0,
    ms: t2 - t1,
    files: packed?.totalFiles ?? null,
    findings: packed?.suspiciousFilesResults?.length ?? null,
    bytes: statSync(out).size,
    tokens: packed?.totalTokens ?? null,
  });
} else {
  throw new Error(`unknown mode ${mode}`);
}

result.maxRss = process.resourceUsage().maxRSS * 1024;
console.log(JSON.stringify(result));
process.exit(0); // repomix leaves worker pools behind
