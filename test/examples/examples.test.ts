/**
 * Each example's README, run as written (its shell blocks, in order, from the checkout's root,
 * against the emulator the README starts itself) and then checked: a newcomer's first hour, on
 * every CI run. A README that drifts from what the harness does fails here: a command that fails,
 * or an exit code other than the one its comment states.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { placeholderFile } from '../../src/emulator/index.js';
import { ROOT } from '../helpers/cli.js';
import { git } from '../helpers/git.js';
import { commitSubjects } from '../helpers/target.js';
import { makeTempDir } from '../helpers/tmp.js';
import { readmeLines, runReadme, wrongCodes, type ReadmeRun } from './readme.js';

/** Runs examples/NAME/README.md; returns the run and the repo copy it made in its scratch dir. */
async function runExample(name: string, repoName: string): Promise<{ run: ReadmeRun; repo: string }> {
  const tmpdir = await makeTempDir(`harness-example-${name}-`);
  const run = await runReadme(path.join(ROOT, 'examples', name, 'README.md'), { cwd: ROOT, tmpdir });
  const problems = wrongCodes(run, `examples/${name}/README.md`);
  expect(problems, `${problems.join('\n')}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`).toEqual([]);
  const scratch = (await readdir(tmpdir)).map((d) => path.join(tmpdir, d, repoName)).filter((d) => existsSync(d));
  expect(scratch, `the README makes one ${repoName} under its own scratch dir`).toHaveLength(1);
  return { run, repo: scratch[0]! };
}

describe('the README runner', () => {
  it('takes command lines from sh blocks only, with the exit code their comment states', () => {
    const lines = readmeLines(
      ['text', '```sh', 'a  # runs', '# only a comment', '', 'b --x   # exits 3 (work left)', 'c &', '```', '```ts', 'not run', '```'].join('\n'),
    );
    expect(lines).toEqual([
      { block: 0, line: 3, command: 'a', expected: 0 },
      { block: 0, line: 6, command: 'b --x', expected: 3 },
      { block: 0, line: 7, command: 'c &', expected: 0 },
    ]);
  });
});

describe('examples, run as their READMEs say', () => {
  it('the examples are independent: no fixed port, no shared data dir', async () => {
    for (const name of ['microservice', 'migration', 'nightly-tests']) {
      const readme = await readFile(path.join(ROOT, 'examples', name, 'README.md'), 'utf8');
      const commands = readmeLines(readme).map((l) => l.command);
      const emulator = commands.find((c) => /\bemulator\b/.test(c));
      expect(emulator, name).toMatch(/--port 0\b/);
      expect(emulator, name).toMatch(/--data "\$work\//);
      expect(commands.join('\n'), name).not.toMatch(/\/tmp\/|127\.0\.0\.1:\d/);
    }
  });

  it('microservice: init --spec plans with the llm planner (config), run scaffolds every file', async () => {
    const { run, repo } = await runExample('microservice', 'orders-service');
    const list = await readFile(path.join(repo, 'task-list.md'), 'utf8');
    for (const p of [
      'src/models/user.ts',
      'src/models/order.ts',
      'src/services/user.service.ts',
      'src/routes/order.routes.ts',
      'test/user.test.ts',
    ]) {
      expect(list).toContain(`\`${p}\``);
      expect(existsSync(path.join(repo, p)), p).toBe(true);
    }
    expect(list).not.toMatch(/- \[ \]/);
    expect(list).not.toContain('`src/app.ts`');
    expect(run.stdout).toMatch(/harness: collect msgbatch_\w+/);
  });

  it('migration: rewrites existing files in place, type-checked by tsc, reviewable with git diff, redone by unticking, refined by one call', async () => {
    const { run, repo } = await runExample('migration', 'inventory-api');
    const subjects = commitSubjects(repo);
    // tsc --noEmit (verify.command) ran after each collect and once by hand after the refine, and passed.
    expect(subjects[0]).toBe('harness: verify (passed)');
    expect(subjects[1]).toMatch(/^harness: refine src\/routes\/items\.js$/);
    expect(subjects[2]).toBe('harness: verify (passed)');
    expect(subjects[3]).toMatch(/^harness: collect msgbatch_\w+ \(1 files\)$/);
    expect(subjects.filter((s) => s === 'harness: verify (passed)')).toHaveLength(3);
    expect(git(repo, 'log', '-1', '--format=%B')).toMatch(/Harness-Verify: /);
    expect(subjects.filter((s) => /^harness: submit /.test(s))).toHaveLength(2);
    expect(subjects.at(-1)).toBe('before the migration');
    expect(run.stdout).toMatch(/src\/routes\/items\.js/); // the diff --stat
    const before = git(repo, 'show', 'HEAD~1:src/server.js');
    const original = await readFile(path.join(ROOT, 'examples/migration/src/server.js'), 'utf8');
    expect(before).not.toBe(original);
  });

  it('nightly-tests: init --no-submit, night 1 submits (exit 3), night 2 collects and vitest passes (exit 0)', async () => {
    const { repo } = await runExample('nightly-tests', 'calc-lib');
    const test = await readFile(path.join(repo, 'test/strings.test.ts'), 'utf8');
    expect(test).toBe(placeholderFile('test/strings.test.ts', 'vitest tests for `src/strings.ts`: every export, edge cases, no mocks'));
    for (const p of ['test/math.test.ts', 'test/dates/format.test.ts']) expect(existsSync(path.join(repo, p)), p).toBe(true);
    // vitest run (verify.command) ran the generated tests after the collect, and they passed.
    expect(commitSubjects(repo)[0]).toBe('harness: verify (passed)');
    expect(commitSubjects(repo)[1]).toMatch(/^harness: collect msgbatch_\w+ \(3 files\)$/);
    const workflow = await readFile(path.join(ROOT, 'examples/nightly-tests/.github/workflows/nightly.yml'), 'utf8');
    expect(workflow).toMatch(/cron:/);
    expect(workflow).toMatch(/concurrency:/);
    expect(workflow).toMatch(/init --no-submit/);
    // Through the codegen-harness action (test/action/ validates it): exit 3 of a detached run passes.
    expect(workflow).toMatch(/command: run --detach\n\s+(?:#.*\n\s+)*budget: .*\n\s+(?:#.*\n\s+)*success-codes: '0 3'/);
    expect(workflow).toMatch(/secrets\.ANTHROPIC_API_KEY/);
  });
});
