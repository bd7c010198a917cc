/**
 * What a collect decides about each task, end to end against the emulator: a bad task among good
 * ones, an answer that shows the section format, a file edited while its batch runs or after a
 * crashed collect, a task renamed while in flight, a canceled batch.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { placeholderFile } from '../../src/emulator/index.js';
import { filesToWrite, lastUserText } from '../../src/emulator/prompt.js';
import type { ResponderRequest } from '../../src/emulator/types.js';
import { git } from '../helpers/git.js';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { commitSubjects, expectedFiles, makeTarget, statusJson, TASKS, type TaskSpec } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

type StatusTask = { id: string; path: string; status: string; attempts: number; reason: string | null };
const byPath = (s: { tasks: StatusTask[] }) => new Map(s.tasks.map((t) => [t.path, t]));
const status = (repo: string) => statusJson((...a) => h!.run(repo, ...a));

/** Runs `harness collect` until a batch has been collected (the batch takes a while). */
async function collectWhenEnded(repo: string): Promise<{ stdout: string; stderr: string }> {
  for (let i = 0; i < 60; i++) {
    const r = await h!.run(repo, 'collect');
    expect(r.code, r.stderr).toBe(0);
    if (/collected \d+ batch/.test(r.stdout)) return r;
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error('the batch never ended');
}

describe('one bad task does not sink its request', () => {
  it('a packed request with one invalid task is split until that task stands alone: only it fails, every other task is done', async () => {
    h = await withEmulator({
      faults: { results: [{ pathContains: 'services/order.service.ts', kind: 'errored', errorType: 'invalid_request_error', times: 0 }] },
    });
    const repo = await makeTarget();
    const r = await h.run(repo, 'run');
    expect(r.code, r.stderr).toBe(3);
    const s = await status(repo);
    const tasks = byPath(s);
    const bad = tasks.get('src/services/order.service.ts')!;
    expect(bad).toMatchObject({ status: 'failed', attempts: 1 });
    expect(bad.reason).toMatch(/^invalid request: /);
    for (const t of TASKS.filter((t) => t.path !== bad.path)) expect(tasks.get(t.path), t.path).toMatchObject({ status: 'done', attempts: 1 });
    expect((await expectedFiles(repo)).filter((f) => !f.ok).map((f) => f.path)).toEqual([bad.path]);
    expect(existsSync(path.join(repo, bad.path))).toBe(false);
    // 6 tasks in one request → 3 + 3 → 2 + 1 → 1 + 1: the refused halves are split again.
    expect(s.batches.map((b: { requests: number; tasks: number }) => [b.requests, b.tasks])).toEqual([
      [1, 6],
      [2, 6],
      [2, 3],
      [2, 2],
    ]);
    expect(r.stderr).toMatch(/its 6 tasks go back to pending, in requests of at most 3/);
  });
});

describe('an answer that shows the section format', () => {
  const DOC_TASKS: TaskSpec[] = [
    { path: 'docs/always.md', description: 'the reply format, with examples', group: 'Docs' },
    { path: 'docs/once.md', description: 'the reply format, once more', group: 'Docs' },
    { path: 'src/a.ts', description: 'a module', group: 'Docs' },
  ];
  /** A doc that shows the format: a line that is its own END marker in the middle of it. */
  const showsFormat = (p: string) => `# Format\n\nA file is written as\n\n<<<FILE src/example.ts>>>\ncontent\n<<<END ${p}>>>\n\nand that is all.\n`;
  const careful = (p: string) =>
    `# Format\n\nA file is written as\n\n    <<<FILE src/example.ts>>>\n    content\n    <<<END ${p}>>>\n\nand that is all.\n`;

  it('is not written as done: retried once with a note to the model, then failed with the reason; a careful second answer is written whole', async () => {
    const prompts: string[] = [];
    const responder = ({ params }: ResponderRequest) => {
      const text = lastUserText(params);
      prompts.push(text);
      let out = 'Here they are.\n';
      for (const f of filesToWrite(text) ?? []) {
        const noted = text.includes(`Note on \`${f.path}\``);
        const body =
          f.path === 'docs/always.md' || (f.path === 'docs/once.md' && !noted)
            ? showsFormat(f.path)
            : f.path === 'docs/once.md'
              ? careful(f.path)
              : placeholderFile(f.path, f.description);
        out += `<<<FILE ${f.path}>>>\n${body}<<<END ${f.path}>>>\n`;
      }
      return out;
    };
    h = await withEmulator({ responder });
    const repo = await makeTarget({ tasks: DOC_TASKS });
    const r = await h.run(repo, 'run');
    expect(r.code, r.stderr).toBe(3);
    const tasks = byPath(await status(repo));
    const always = tasks.get('docs/always.md')!;
    expect(always).toMatchObject({ status: 'failed', attempts: 2 });
    expect(always.reason).toMatch(/^ambiguous section: the content shows the section format .* again after a note to the model/);
    expect(existsSync(path.join(repo, 'docs/always.md'))).toBe(false);
    expect(tasks.get('docs/once.md')).toMatchObject({ status: 'done', attempts: 2 });
    expect(await readFile(path.join(repo, 'docs/once.md'), 'utf8')).toBe(careful('docs/once.md'));
    expect(tasks.get('src/a.ts')).toMatchObject({ status: 'done', attempts: 1 });
    // The second request asked for the two docs only, each with the note.
    expect(prompts).toHaveLength(2);
    expect(filesToWrite(prompts[1]!)!.map((f) => f.path)).toEqual(['docs/always.md', 'docs/once.md']);
    expect(prompts[0]).not.toContain('Note on');
    expect(prompts[1]).toContain('Note on `docs/always.md`: your previous answer for this file contained a line that looks like a section marker');
    expect(prompts[1]).toContain('Note on `docs/once.md`');
    expect(r.stderr).toMatch(/docs\/always\.md: ambiguous section/);
  });
});

describe('edits made while a batch runs', () => {
  it('a target edited (and committed) or created (uncommitted) while its batch ran is left as the person made it; the output is kept aside and the task reports the conflict', async () => {
    h = await withEmulator({ processingMs: 2500 });
    const repo = await makeTarget({ files: { 'src/models/user.ts': 'export const old = 1;\n' } });
    expect((await h.run(repo, 'run', '--detach')).code).toBe(3);
    const batchId = (await status(repo)).batches[0].id as string;
    // The person edits a file the batch rewrites, and commits; and starts another one, uncommitted.
    await writeFile(path.join(repo, 'src/models/user.ts'), 'export const mine = 1;\n');
    git(repo, 'commit', '-qam', 'my edit');
    await mkdir(path.join(repo, 'test'), { recursive: true });
    await writeFile(path.join(repo, 'test/user.test.ts'), '// my test, not committed yet\n');

    const c = await collectWhenEnded(repo);
    expect(c.stderr).toMatch(
      /src\/models\/user\.ts: changed since msgbatch_\w+ was submitted: left as it is; the generated version is in \.harness\/conflicts\//,
    );
    expect(await readFile(path.join(repo, 'src/models/user.ts'), 'utf8')).toBe('export const mine = 1;\n');
    expect(await readFile(path.join(repo, 'test/user.test.ts'), 'utf8')).toBe('// my test, not committed yet\n');
    for (const p of ['src/models/user.ts', 'test/user.test.ts']) {
      const kept = path.join(repo, '.harness/conflicts', batchId, p);
      const description = TASKS.find((t) => t.path === p)!.description;
      expect(await readFile(kept, 'utf8'), p).toBe(placeholderFile(p, description));
    }
    const tasks = byPath(await status(repo));
    for (const p of ['src/models/user.ts', 'test/user.test.ts']) {
      const t = tasks.get(p)!;
      expect(t.status, p).toBe('failed');
      expect(t.reason).toBe(
        `conflict: ${p} changed while ${batchId} ran; your version is left as it is and the generated one is in .harness/conflicts/${batchId}/${p}. ` +
          `To keep yours, tick the task; to take the generated one, move it over ${p} and tick the task`,
      );
    }
    for (const p of ['src/models/order.ts', 'src/services/user.service.ts', 'src/services/order.service.ts', 'test/order.test.ts'])
      expect(tasks.get(p)!.status, p).toBe('done');
    // The kept copies stay out of git; the collect commit holds neither of the person's files.
    expect(git(repo, 'status', '--porcelain').trim().split('\n')).toEqual(['?? test/user.test.ts']);
    expect(commitSubjects(repo)[0]).toBe(`harness: collect ${batchId} (4 files)`);
    expect(git(repo, 'show', '--name-only', '--format=', 'HEAD').split('\n')).not.toContain('src/models/user.ts');

    // Taking the generated version: move it over, tick the task; the next run has nothing to do.
    await writeFile(path.join(repo, 'test/user.test.ts'), await readFile(path.join(repo, '.harness/conflicts', batchId, 'test/user.test.ts')));
    const list = await readFile(path.join(repo, 'task-list.md'), 'utf8');
    await writeFile(path.join(repo, 'task-list.md'), list.replace(/- \[ \] (`test\/user\.test\.ts`|`src\/models\/user\.ts`)/g, '- [x] $1'));
    const again = await h.run(repo, 'run');
    expect(again.code, again.stderr).toBe(0);
    expect(h.emulator.stats().batchesCreated).toBe(1);
  });

  it('an uncommitted edit to a target of the batch in flight does not stop `harness run`: the run waits, keeps the edit and reports the conflict', async () => {
    h = await withEmulator({ processingMs: 1500 });
    const repo = await makeTarget({ files: { 'src/models/user.ts': 'export const old = 1;\n' } });
    expect((await h.run(repo, 'run', '--detach')).code).toBe(3);
    await writeFile(path.join(repo, 'src/models/user.ts'), 'export const mine = 1;\n');
    const r = await h.run(repo, 'run');
    expect(r.stderr).not.toMatch(/uncommitted changes/);
    expect(r.code, r.stderr).toBe(3); // the conflicted task is failed, with the way to take either side
    expect(await readFile(path.join(repo, 'src/models/user.ts'), 'utf8')).toBe('export const mine = 1;\n');
    expect(byPath(await status(repo)).get('src/models/user.ts')!.reason).toMatch(/^conflict: src\/models\/user\.ts changed while/);
  });

  it('a file a person changes after a crashed collect wrote it is not committed as the batch output on replay: reported and left to the person', async () => {
    h = await withEmulator({ processingMs: 150 });
    const repo = await makeTarget();
    const killed = await h.start(repo, ['run'], { HARNESS_FAILPOINT: 'collect:recorded' }).done;
    expect(killed.signal).toBe('SIGKILL');
    // The killed collect wrote every file; the person edits one before the harness resumes.
    await writeFile(path.join(repo, 'src/models/order.ts'), 'export const edited = true;\n');

    const c = await h.run(repo, 'collect');
    expect(c.code, c.stderr).toBe(0);
    expect(c.stderr).toMatch(
      /src\/models\/order\.ts changed after the interrupted collect of msgbatch_\w+ wrote it: left as it is, not committed as the batch's output/,
    );
    expect(await readFile(path.join(repo, 'src/models/order.ts'), 'utf8')).toBe('export const edited = true;\n');
    expect(git(repo, 'status', '--porcelain').trim()).toBe('?? src/models/order.ts');
    const committed = git(repo, 'show', '--name-only', '--format=', 'HEAD').trim().split('\n');
    expect(committed).not.toContain('src/models/order.ts');
    expect(committed).toContain('src/models/user.ts');
    expect(commitSubjects(repo)[0]).toMatch(/^harness: collect msgbatch_\w+ \(5 files\)$/);
    const tasks = byPath(await status(repo));
    expect(tasks.get('src/models/order.ts')).toMatchObject({ status: 'failed' });
    expect(tasks.get('src/models/order.ts')!.reason).toMatch(
      /^conflict: src\/models\/order\.ts changed after the interrupted collect of msgbatch_\w+ wrote it/,
    );
    for (const t of TASKS.filter((t) => t.path !== 'src/models/order.ts')) expect(tasks.get(t.path)!.status, t.path).toBe('done');
    expect(h.emulator.stats().batchesCreated).toBe(1);
  });
});

describe('a task renamed while its batch is in flight', () => {
  it('goes back to pending when the batch is collected and is generated in the same run, which exits 0 only with every task done', async () => {
    h = await withEmulator({ processingMs: 1500 });
    const repo = await makeTarget();
    expect((await h.run(repo, 'run', '--detach')).code).toBe(3);
    const list = await readFile(path.join(repo, 'task-list.md'), 'utf8');
    expect(list).toMatch(/`src\/services\/order\.service\.ts` — in-memory order service <!-- harness: id=t4 status=submitted/);
    await writeFile(path.join(repo, 'task-list.md'), list.replace('`src/services/order.service.ts`', '`src/services/orders.service.ts`'));

    const r = await h.run(repo, 'run');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/1 task marked submitted in msgbatch_\w+ had no result \(renamed since\?\): back to pending/);
    const s = await status(repo);
    expect(s.counts).toEqual({ pending: 0, submitted: 0, done: 6, failed: 0 });
    expect(await readFile(path.join(repo, 'src/services/orders.service.ts'), 'utf8')).toBe(
      placeholderFile('src/services/orders.service.ts', 'in-memory order service'),
    );
    expect(existsSync(path.join(repo, 'src/services/order.service.ts'))).toBe(false);
    expect(s.batches.map((b: { tasks: number }) => b.tasks)).toEqual([6, 1]);
  });
});

describe('status', () => {
  it('shows a canceled batch as canceled', async () => {
    h = await withEmulator({ processingMs: 60_000 });
    const repo = await makeTarget();
    expect((await h.run(repo, 'run', '--detach')).code).toBe(3);
    expect((await h.run(repo, 'cancel')).code).toBe(0);
    const s = await status(repo);
    expect(s.batches.map((b: { status: string }) => b.status)).toEqual(['canceled']);
    const text = await h.run(repo, 'status');
    expect(text.stdout).toMatch(/msgbatch_\w+\s+canceled\s/);
  });

  it('counts one file and one task in the singular', async () => {
    h = await withEmulator();
    const repo = await makeTarget({ tasks: TASKS.slice(0, 1) });
    const r = await h.run(repo, 'run');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/collected msgbatch_\w+: 1 file, 1 task done, \$/);
  });

  it('a task that fails at its only attempt says so in the singular', async () => {
    h = await withEmulator({ faults: { results: [{ kind: 'errored', errorType: 'api_error', times: 0 }] } });
    const repo = await makeTarget({ tasks: TASKS.slice(0, 1) });
    await writeFile(path.join(repo, 'harness.config.mjs'), 'export default { attempts: 1 };\n');
    git(repo, 'add', 'harness.config.mjs');
    git(repo, 'commit', '-qm', 'config');
    expect((await h.run(repo, 'run')).code).toBe(3);
    expect(byPath(await status(repo)).get(TASKS[0]!.path)!.reason).toBe('errored: api_error (after 1 attempt)');
  });
});
