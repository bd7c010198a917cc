/**
 * Each example, run as its README says, in a temp copy against the emulator: a newcomer's first
 * hour, checked on every CI run.
 */
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { placeholderFile } from '../../src/emulator/index.js';
import { ROOT } from '../helpers/cli.js';
import { git } from '../helpers/git.js';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { commitSubjects, statusJson } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function copyExample(name: string): Promise<string> {
  const dir = path.join(await mkdtemp(path.join(os.tmpdir(), `harness-example-`)), name);
  await cp(path.join(ROOT, 'examples', name), dir, { recursive: true });
  return dir;
}

describe('examples', () => {
  it('microservice: init --spec plans with the llm planner (config), run scaffolds every file', async () => {
    h = await withEmulator();
    const repo = await copyExample('microservice');
    const init = await h.run(repo, 'init', '--spec', 'spec.md');
    expect(init.code, init.stderr).toBe(0);
    const run = await h.run(repo, 'run');
    expect(run.code, run.stderr).toBe(0);
    const s = await statusJson((...a) => h!.run(repo, ...a));
    const paths = s.tasks.map((t: { path: string }) => t.path);
    for (const p of ['src/models/user.ts', 'src/models/order.ts', 'src/services/user.service.ts', 'src/routes/order.routes.ts', 'test/user.test.ts']) {
      expect(paths).toContain(p);
      expect(existsSync(path.join(repo, p)), p).toBe(true);
    }
    expect(s.counts.done).toBe(s.tasks.length);
    expect(paths).not.toContain('src/app.ts');
  });

  it('migration: rewrites existing files in place, reviewable with git diff, redone by unticking', async () => {
    h = await withEmulator();
    const repo = await copyExample('migration');
    const before = await readFile(path.join(repo, 'src/routes/items.js'), 'utf8');
    // As the README says: the code to migrate is committed first (the harness never overwrites
    // uncommitted work, and the review is a git diff against that commit).
    git(repo, 'init', '-q');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'before the migration');
    const init = await h.run(repo, 'init');
    expect(init.code, init.stderr).toBe(0);
    const run = await h.run(repo, 'run');
    expect(run.code, run.stderr).toBe(0);
    const after = await readFile(path.join(repo, 'src/routes/items.js'), 'utf8');
    expect(after).not.toBe(before);
    const diff = git(repo, 'diff', '--stat', 'HEAD~1', '--', 'src/');
    expect(diff).toMatch(/src\/routes\/items\.js/);
    expect(diff).toMatch(/src\/server\.js/);

    // Untick one line: only that file is resubmitted.
    const listFile = path.join(repo, 'task-list.md');
    const list = await readFile(listFile, 'utf8');
    await writeFile(listFile, list.replace('- [x] `src/routes/health.js`', '- [ ] `src/routes/health.js`'));
    const again = await h.run(repo, 'run');
    expect(again.code, again.stderr).toBe(0);
    expect(commitSubjects(repo)[0]).toMatch(/^harness: collect msgbatch_\w+ \(1 files\)$/);
    expect(h.emulator.stats().batchesCreated).toBe(2);
  });

  it('nightly-tests: the mirror planner plans one test per source file; two detached runs finish the job', async () => {
    h = await withEmulator({ processingMs: 300 });
    const repo = await copyExample('nightly-tests');
    expect((await h.run(repo, 'init', '--no-submit')).code).toBe(0);
    const list = await readFile(path.join(repo, 'task-list.md'), 'utf8');
    expect(list).toContain('`test/math.test.ts`');
    expect(list).toContain('`test/dates/format.test.ts`');
    const night1 = await h.run(repo, 'run', '--detach');
    expect(night1.code).toBe(3);
    await new Promise((r) => setTimeout(r, 500));
    const night2 = await h.run(repo, 'run', '--detach');
    expect(night2.code, night2.stderr).toBe(0);
    const test = await readFile(path.join(repo, 'test/strings.test.ts'), 'utf8');
    expect(test).toBe(placeholderFile('test/strings.test.ts', 'vitest tests for `src/strings.ts`: every export, edge cases, no mocks'));
    const workflow = await readFile(path.join(repo, '.github/workflows/nightly.yml'), 'utf8');
    expect(workflow).toMatch(/cron:/);
    expect(workflow).toMatch(/concurrency:/);
    expect(workflow).toMatch(/harness run --detach/);
    expect(workflow).toMatch(/secrets\.ANTHROPIC_API_KEY/);
  });
});
