// Case 1: scan + pack (scan, secret scan, context block written to a file) of a real repository of
// ~6,000 files and of a generated one of 50,000, against repomix on the same tree and against a
// plain read of the same files; and map mode (the same scan, then the repo map of its files,
// written) on both. Every run is a fresh process; the time is the work after imports.
import path from 'node:path';
import { generateRepo } from '../lib/gen-repo.js';
import { makeRealRepo } from '../lib/real-repo.js';
import { child, log, median, removeDir, ROOT, tempDir } from '../lib/util.js';

const CHILD = path.join(ROOT, 'bench', 'cases', 'scan-child.js');

export default {
  id: 'scan',
  title: 'scan + pack',
  async run({ scale, runs }) {
    const rows = [];
    const trees = [
      {
        name: 'real',
        make: () => {
          const dir = tempDir('real');
          makeRealRepo(dir, Math.max(300, Math.round(6000 * scale)));
          return dir;
        },
      },
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
      const samples = { ours: [], map: [], plain: [], repomix: [] };
      // Interleaved, so that noise on the machine falls on all three alike; the two the target compares
      // (ours, the plain read) back to back, after the heavy ones (map mode parses on every core and
      // writes; what it leaves to flush falls on whichever runs next). The copied tree gets one
      // warm-up of each first (its files may not be in the page cache); the generated one was just written.
      for (let r = tree.name === 'real' ? -1 : 0; r < runs; r++) {
        for (const mode of ['map', 'repomix', 'ours', 'plain']) {
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
      const map = pick('map');
      removeDir(dir);
      removeDir(outDir);
      const o = ours.last;
      const label = `${tree.name} ${o.files.toLocaleString('en-US')} files, ${(o.bytes / 1e6).toFixed(0)} MB`;
      log(
        `  ${label}: ours ${ours.ms.toFixed(0)} ms (${Object.entries(o.phases)
          .map(([k, v]) => `${k} ${v.toFixed(0)}`)
          .join(', ')}; ` +
          `${o.findings} finding(s)), plain read ${plain.ms.toFixed(0)} ms (${plain.last.files} files), repomix ${repomix.ms.toFixed(0)} ms ` +
          `(${repomix.last.files} files, ${repomix.last.findings} suspicious); map mode ${map.ms.toFixed(0)} ms (map ${map.last.phases.map.toFixed(0)} ms, ` +
          `${(map.last.mapBytes / 1e6).toFixed(1)} MB, ~${map.last.mapTokens.toLocaleString('en-US')} tokens)`,
      );
      const details = {
        phasesMs: Object.fromEntries(Object.keys(o.phases).map((k) => [k, median(samples.ours.map((x) => x.phases[k]))])),
        files: { ours: o.files, plain: plain.last.files, repomix: repomix.last.files },
        findings: { ours: o.findings, repomix: repomix.last.findings },
        loadMs: { ours: median(samples.ours.map((x) => x.loadMs)), repomix: median(samples.repomix.map((x) => x.loadMs)) },
      };
      const mapDetails = {
        phasesMs: Object.fromEntries(Object.keys(map.last.phases).map((k) => [k, median(samples.map.map((x) => x.phases[k]))])),
        map: { bytes: map.last.mapBytes, tokens: map.last.mapTokens, files: map.last.files },
        loadMs: median(samples.map.map((x) => x.loadMs)),
      };
      // Scan + pack against both baselines, with a target each; map mode against the same two, no
      // target of its own (the issue asks for the rows; tree-sitter parsing is most of it).
      const row = (kind, vs, base, measured, target, limit, rowDetails) => {
        const ratio = measured.ms / base.ms;
        return {
          key: `scan.${tree.name}.${kind === 'map' ? 'map.' : ''}${vs === 'repomix' ? 'repomix' : 'plain'}`,
          case: `1 scan+${kind} ${label}`,
          vs,
          unit: 'ms',
          ours: measured.ms,
          baseline: base.ms,
          ratio,
          rss: measured.rss,
          baselineRss: base.rss,
          target,
          pass: limit === null ? null : ratio <= limit,
          details: rowDetails,
        };
      };
      rows.push(
        row('pack', 'repomix', repomix, ours, '≤ 0.5×', 0.5, details),
        row('pack', 'plain read', plain, ours, '≤ 2×', 2, details),
        row('map', 'repomix', repomix, map, '—', null, mapDetails),
        row('map', 'plain read', plain, map, '—', null, mapDetails),
      );
    }
    return rows;
  },
};
