/**
 * A nightly mirror job keeps up with the code: every `run` of a repo whose planner is `mirror`
 * gives new sources their tests and regenerates the tests of changed sources, but never a test a
 * person edited since it was generated.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { placeholderResponder, type ResponderRequest } from '../../src/emulator/index.js';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { git, makeRepo } from '../helpers/git.js';
import { commitSubjects, statusJson } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

/** The placeholder answer, with every file stamped by the call that wrote it (`// generation N`). */
function stamping(): (req: ResponderRequest) => Promise<string> {
  const inner = placeholderResponder();
  let n = 0;
  return async (req) => {
    n++;
    const reply = await inner(req);
    return reply.replace(/^<<<END (.+)>>>$/gm, (marker) => `// generation ${n}\n${marker}`);
  };
}

const CONFIG =
  "export default { planner: 'mirror', mirror: { rules: [{ from: 'src/**/*.ts', to: 'test/{dir}/{name}.test.ts', group: 'Tests' }] } };\n";

const read = (repo: string, p: string) => readFile(path.join(repo, p), 'utf8');
const generation = (text: string) => /\/\/ generation (\d+)/.exec(text)?.[1];

describe('mirror refresh on every run', () => {
  it('new sources get tasks, changed sources re-queue their tests, edited tests are left alone', async () => {
    h = await withEmulator({ responder: stamping() });
    const repo = await makeRepo({
      'package.json': '{ "name": "lib", "type": "module" }\n',
      'harness.config.mjs': CONFIG,
      'src/a.ts': 'export const a = 1;\n',
      'src/b.ts': 'export const b = 1;\n',
    });
    const first = await h.run(repo, 'init');
    expect(first.code, first.stderr).toBe(0);
    const night1 = await h.run(repo, 'run');
    expect(night1.code, night1.stderr).toBe(0);
    const aBefore = await read(repo, 'test/a.test.ts');
    expect(generation(aBefore)).toBeDefined();

    // During the day: a new source, a changed source, and a test a person improved by hand.
    await writeFile(path.join(repo, 'src/c.ts'), 'export const c = 1;\n');
    await writeFile(path.join(repo, 'src/a.ts'), 'export const a = 2;\n');
    await writeFile(path.join(repo, 'src/b.ts'), 'export const b = 2;\n');
    const handEdited = `${await read(repo, 'test/b.test.ts')}// a case the model missed\n`;
    await writeFile(path.join(repo, 'test/b.test.ts'), handEdited);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'a day of work');

    const night2 = await h.run(repo, 'run');
    expect(night2.code, night2.stderr).toBe(0);
    expect(existsSync(path.join(repo, 'test/c.test.ts'))).toBe(true);
    const aAfter = await read(repo, 'test/a.test.ts');
    expect(generation(aAfter)).not.toBe(generation(aBefore));
    expect(await read(repo, 'test/b.test.ts')).toBe(handEdited);
    expect(night2.stderr).toMatch(/test\/b\.test\.ts was edited since it was generated/);
    expect(commitSubjects(repo)).toContain('harness: mirror refresh (1 new, 1 re-queued)');
    const s = await statusJson((...a) => h!.run(repo, ...a));
    expect(s.counts).toMatchObject({ pending: 0, submitted: 0, failed: 0, done: 3 });
    expect(git(repo, 'status', '--porcelain')).toBe('');

    // Nothing changed since: the next run changes nothing and creates no batch.
    const batches = h.emulator.stats().batchesCreated;
    const head = git(repo, 'rev-parse', 'HEAD');
    const night3 = await h.run(repo, 'run');
    expect(night3.code, night3.stderr).toBe(0);
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(head);
    expect(h.emulator.stats().batchesCreated).toBe(batches);
  });

  it("mirror.refresh: 'off' leaves the task list as it is", async () => {
    h = await withEmulator();
    const repo = await makeRepo({
      'harness.config.mjs': CONFIG.replace("group: 'Tests' }] }", "group: 'Tests' }], refresh: 'off' }"),
      'src/a.ts': 'export const a = 1;\n',
    });
    expect((await h.run(repo, 'init', '--no-submit')).code).toBe(0);
    await writeFile(path.join(repo, 'src/c.ts'), 'export const c = 1;\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'new source');
    const r = await h.run(repo, 'run');
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(path.join(repo, 'test/c.test.ts'))).toBe(false);
    expect(await read(repo, 'task-list.md')).not.toContain('test/c.test.ts');
  });
});
