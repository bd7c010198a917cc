// Case 1: scan + pack (scan, secret scan, context block written to a file) of a real repository of
// ~1,200 files and of a generated one of 50,000, against repomix on the same tree and against a
// plain read of the same files. Every run is a fresh process; the time is the work after imports.
import { cpSync, existsSync } from 'node:fs';
import path from 'node:path';
import { generateRepo } from '../lib/gen-repo.js';
import { child, git, log, median, removeDir, ROOT, tempDir } from '../lib/util.js';

const CHILD = path.join(ROOT, 'bench', 'cases', 'scan-child.js');

/**
 * The "real" repository: sources that every `npm ci` of this project has, copied out of
 * node_modules and committed to a fresh git repo: zod (its TypeScript sources, builds and typings)
 * and the TypeScript sources of @anthropic-ai/sdk — about 1,200 files, 10 MB.
 */
function realRepo() {
  const dir = tempDir('real');
  const sources = [
    ['node_modules/zod', 'zod'],
    ['node_modules/@anthropic-ai/sdk/src', 'anthropic-sdk/src'],
  ];
  for (const [from, to] of sources) {
    const abs = path.join(ROOT, from);
    if (!existsSync(abs)) throw new Error(`${from} is missing: run npm ci first`);
    cpSync(abs, path.join(dir, to), { recursive: true });
  }
  git(dir, 'init', '-q', '--initial-branch=main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'import');
  return dir;
}

export default {
  id: 'scan',
  title: 'scan + pack',
  async run({ scale, runs }) {
    const rows = [];
    const trees = [
      { name: 'real', make: () => realRepo() },
      {
        name: 'generated',
        make: () => {
          const dir = tempDir('gen');
          generateRepo(dir, Math.max(100, Math.round(50_000 * scale)));
          return dir;
        },
      },
    ];
    for (const tree of trees) {
      const dir = tree.make();
      const outDir = tempDir('scan-out');
      const samples = { ours: [], plain: [], repomix: [] };
      // Interleaved, so that noise on the machine falls on all three alike. The copied tree gets one
      // warm-up of each first (its files may not be in the page cache); the generated one was just written.
      for (let r = tree.name === 'real' ? -1 : 0; r < runs; r++) {
        for (const mode of ['ours', 'plain', 'repomix']) {
          const res = await child(CHILD, [mode, dir, path.join(outDir, `${mode}.out`)]);
          if (r >= 0) samples[mode].push(res);
        }
      }
      const pick = (mode) => {
        const s = samples[mode];
        return { ms: median(s.map((x) => x.ms)), rss: Math.max(...s.map((x) => x.maxRss)), last: s[s.length - 1] };
      };
      const ours = pick('ours');
      const plain = pick('plain');
      const repomix = pick('repomix');
      removeDir(dir);
      removeDir(outDir);
      const o = ours.last;
      const label = `${tree.name} ${o.files.toLocaleString('en-US')} files, ${(o.bytes / 1e6).toFixed(0)} MB`;
      log(
        `  ${label}: ours ${ours.ms.toFixed(0)} ms (scan ${o.phases.scan.toFixed(0)}, secrets ${o.phases.secrets.toFixed(0)}, context ${o.phases.context.toFixed(0)}; ` +
          `${o.findings} finding(s)), plain read ${plain.ms.toFixed(0)} ms (${plain.last.files} files), repomix ${repomix.ms.toFixed(0)} ms ` +
          `(${repomix.last.files} files, ${repomix.last.findings} suspicious)`,
      );
      const details = {
        phasesMs: {
          scan: median(samples.ours.map((x) => x.phases.scan)),
          secrets: median(samples.ours.map((x) => x.phases.secrets)),
          context: median(samples.ours.map((x) => x.phases.context)),
        },
        files: { ours: o.files, plain: plain.last.files, repomix: repomix.last.files },
        findings: { ours: o.findings, repomix: repomix.last.findings },
        loadMs: { ours: median(samples.ours.map((x) => x.loadMs)), repomix: median(samples.repomix.map((x) => x.loadMs)) },
      };
      rows.push({
        key: `scan.${tree.name}.repomix`,
        case: `1 scan+pack ${label}`,
        vs: 'repomix',
        unit: 'ms',
        ours: ours.ms,
        baseline: repomix.ms,
        ratio: ours.ms / repomix.ms,
        rss: ours.rss,
        baselineRss: repomix.rss,
        target: '≤ 0.5×',
        pass: ours.ms / repomix.ms <= 0.5,
        details,
      });
      rows.push({
        key: `scan.${tree.name}.plain`,
        case: `1 scan+pack ${label}`,
        vs: 'plain read',
        unit: 'ms',
        ours: ours.ms,
        baseline: plain.ms,
        ratio: ours.ms / plain.ms,
        rss: ours.rss,
        baselineRss: plain.rss,
        target: '≤ 2×',
        pass: ours.ms / plain.ms <= 2,
        details,
      });
    }
    return rows;
  },
};
