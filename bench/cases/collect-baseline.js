// Case 2's physical-limit baseline: the least any correct collect must do with a results file on
// disk, in one process, on the same machine as the collect:
//   1. read the results file (1 MB reads), cut it into lines and JSON.parse each one (the text
//      comes JSON-escaped: there is no way to its files without decoding it);
//   2. cut each text at the requested `<<<FILE p>>>` / `<<<END p>>>` lines (indexOf, no checks);
//   3. write every file and fsync it (open, write, fsync, close), 32 at a time (the fastest pool
//      width measured on this VM's disk: 1 at a time 2.3 ms a file, 16 0.55 ms, 64 0.38 ms);
//   4. `git add --pathspec-from-file` of every file, then `git commit`.
// No path guard, no temporary file and rename, no journal, no task list: what is left out is what
// the harness's correctness adds, and the collect is measured against this.
//
//   node bench/cases/collect-baseline.js <spec.json>   spec: { file, repo, requests: [{ customId, paths }] }
// Prints one JSON line: { ms, files, bytes, phases: { decodeWriteMs, addMs, commitMs }, maxRss }.
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';

const POOL = 32;
const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const paths = new Map(spec.requests.map((r) => [r.customId, r.paths]));
const git = (...args) => execFileSync('git', args, { cwd: spec.repo, encoding: 'utf8', maxBuffer: 1 << 28 });

/** JSON lines of a byte stream (native indexOf for newlines, a line's pieces joined once). */
async function* lines(stream) {
  let pieces = [];
  for await (const chunk of stream) {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      const part = chunk.subarray(start, nl);
      const line = pieces.length > 0 ? Buffer.concat([...pieces, part]) : part;
      pieces = [];
      if (line.length > 0) yield JSON.parse(line.toString('utf8'));
      start = nl + 1;
    }
    if (start < chunk.length) pieces.push(chunk.subarray(start));
  }
  if (pieces.length > 0) yield JSON.parse(Buffer.concat(pieces).toString('utf8'));
}

const t0 = performance.now();
const dirs = new Set();
const inFlight = new Set();
const written = [];
let bytes = 0;
async function writeSynced(rel, content) {
  const abs = path.join(spec.repo, rel);
  const dir = path.dirname(abs);
  if (!dirs.has(dir)) {
    mkdirSync(dir, { recursive: true });
    dirs.add(dir);
  }
  const h = await open(abs, 'w');
  try {
    await h.writeFile(content);
    await h.sync();
  } finally {
    await h.close();
  }
}
for await (const line of lines(createReadStream(spec.file, { highWaterMark: 1 << 20 }))) {
  const asked = paths.get(line.custom_id) ?? [];
  const text = line.result.type === 'succeeded' ? line.result.message.content.map((b) => b.text ?? '').join('') : '';
  for (const p of asked) {
    const open = `<<<FILE ${p}>>>\n`;
    const a = text.indexOf(open);
    const b = a < 0 ? -1 : text.indexOf(`<<<END ${p}>>>\n`, a);
    if (b < 0) continue;
    const content = Buffer.from(text.slice(a + open.length, b));
    bytes += content.length;
    written.push(p);
    const w = writeSynced(p, content).finally(() => inFlight.delete(w));
    inFlight.add(w);
    while (inFlight.size >= POOL) await Promise.race(inFlight);
  }
}
await Promise.all(inFlight);
const t1 = performance.now();
const list = path.join(path.dirname(process.argv[2]), `baseline-paths-${process.pid}`);
writeFileSync(list, written.join('\0'));
git('add', `--pathspec-from-file=${list}`, '--pathspec-file-nul');
const t2 = performance.now();
git('commit', '-q', '--no-verify', '-m', `baseline: ${written.length} files`);
const t3 = performance.now();
console.log(
  JSON.stringify({
    ms: t3 - t0,
    files: written.length,
    bytes,
    phases: { decodeWriteMs: t1 - t0, addMs: t2 - t1, commitMs: t3 - t2 },
    maxRss: process.resourceUsage().maxRSS * 1024,
  }),
);
