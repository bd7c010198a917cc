// Case 7: start-up. `harness status` on a small repo with a task list against `node -e 0`,
// target ≤ 4×; then one `harness status` under --cpu-prof, summarised by module, for the note.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { summarize, moduleInclusive } from '../lib/profile.js';
import { BIN, git, log, median, runNode, tempDir } from '../lib/util.js';

export function smallRepo() {
  const dir = tempDir('small');
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), '{ "name": "target", "type": "module" }\n');
  writeFileSync(path.join(dir, 'src', 'app.ts'), 'export function route(path: string) {\n  return path;\n}\n');
  writeFileSync(
    path.join(dir, 'task-list.md'),
    '# Tasks\n\n## Models\n\n- [ ] `src/models/user.ts` — User entity with validation\n- [ ] `src/models/order.ts` — Order entity with validation\n\n' +
      '## Services\n\n- [ ] `src/services/user.service.ts` — in-memory user service\n- [ ] `src/services/order.service.ts` — in-memory order service\n',
  );
  git(dir, 'init', '-q', '--initial-branch=main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'initial');
  return dir;
}

export default {
  id: 'startup',
  title: 'start-up: harness status vs node -e 0',
  async run({ runs }) {
    const repo = smallRepo();
    const n = Math.max(5, runs * 5);
    const ours = [];
    const base = [];
    const env = { ANTHROPIC_API_KEY: 'bench' };
    for (let r = -1; r < n; r++) {
      const a = await runNode([BIN, 'status', '--repo', repo], { env });
      if (a.code !== 0) throw new Error(`harness status exited ${a.code}: ${a.stderr}`);
      const b = await runNode(['-e', '0']);
      if (r >= 0) {
        ours.push(a.ms);
        base.push(b.ms);
      }
    }
    const rss = await runNode(
      [
        '-e',
        `process.on('exit', () => console.log(JSON.stringify({ maxRss: process.resourceUsage().maxRSS * 1024 }))); process.argv = ['node', 'harness', 'status', '--repo', ${JSON.stringify(repo)}]; await import(${JSON.stringify(new URL('../../dist/cli/main.js', import.meta.url).href)}).then((m) => m.main(process.argv))`,
        '--input-type=module',
      ],
      { json: true, env },
    );

    // Profile one run: where the time goes, by module (self time) and by package (inclusive).
    const profDir = tempDir('startup-prof');
    await runNode(['--cpu-prof', '--cpu-prof-dir', profDir, BIN, 'status', '--repo', repo], { env });
    const prof = path.join(
      profDir,
      readdirSync(profDir).find((f) => f.endsWith('.cpuprofile')),
    );
    const self = summarize(prof, { by: 'module', top: 10 });
    const incl = moduleInclusive(prof, { top: 10 });
    const fmt = (s) => s.list.map((x) => `${x.key} ${x.ms.toFixed(0)} ms`).join(', ');
    log(`  profile of one harness status (${self.totalMs.toFixed(0)} ms sampled): self time by module: ${fmt(self)}`);
    log(`  inclusive by package: ${fmt(incl)}`);
    const o = median(ours);
    const b = median(base);
    return {
      rows: [
        {
          key: 'startup.status',
          case: '7 start-up: harness status (small repo)',
          vs: 'node -e 0',
          unit: 'ms',
          ours: o,
          baseline: b,
          ratio: o / b,
          rss: rss.json?.maxRss ?? null,
          target: '≤ 4×',
          pass: o / b <= 4,
          details: { runs: n, profileSelf: self, profileInclusive: incl },
        },
      ],
      notes: [
        `start-up profile (self time by module, one run of ${self.totalMs.toFixed(0)} ms): ${fmt(self)}`,
        `start-up profile (inclusive by package): ${fmt(incl)}`,
      ],
    };
  },
};
