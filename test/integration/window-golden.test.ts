/**
 * The old path byte for byte: when the whole codebase fits the window (context.mode `auto`), the
 * requests are exactly what they were before per-group contexts existed. The fixtures under
 * test/fixtures/golden/ were captured from the code before that change (UPDATE_GOLDEN=1 rewrites
 * them; do that only for a change meant to alter every request).
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { makeRepo } from '../helpers/git.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const GOLDEN = path.join(import.meta.dirname, '../fixtures/golden');

const CODE = {
  'package.json': '{ "name": "target", "type": "module" }\n',
  'src/app.ts': 'export function route(path: string) {\n  return path;\n}\n',
  'src/util/strings.ts': 'export const upper = (s: string) => s.toUpperCase();\n',
  'src/models/user.ts': 'export interface User {\n  id: string;\n}\n',
  'docs/notes.md': 'A file that shows </file> in its text.\n',
};

/** Stage 1 done (its files on disk), stage 2 pending: the request carries the codebase, the earlier stage's files and the plan. */
const LIST = [
  '# Orders',
  '',
  '## Stage 1: Models',
  '',
  '- [x] `src/models/user.ts` — User entity with validation',
  '',
  '## Stage 2: Services',
  '',
  '- [ ] `src/services/user.service.ts` — in-memory user service',
  '- [ ] `src/app.ts` — route /users to the user service',
  '',
  '## Stage 3: Tests',
  '',
  '- [ ] `test/user.test.ts` — tests for the user service',
  '',
].join('\n');

async function dryRunLines(files: Record<string, string>, args: string[]): Promise<string> {
  h = await withEmulator();
  const repo = await makeRepo(files);
  const r = await h.run(repo, ...args);
  expect(r.code, r.stderr).toBe(0);
  return readFile(path.join(repo, '.harness/dry-run/batch-001.jsonl'), 'utf8');
}

async function expectGolden(name: string, actual: string): Promise<void> {
  const file = path.join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) await writeFile(file, actual);
  expect(actual).toBe(await readFile(file, 'utf8'));
}

describe('requests when the codebase fits (golden)', () => {
  it('run --dry-run of a staged list: codebase, earlier stage, plan and request blocks, byte for byte', async () => {
    const text = await dryRunLines({ ...CODE, 'task-list.md': LIST }, ['run', '--dry-run', '--max-tokens', '8000']);
    await expectGolden('dry-run-staged.jsonl', text);
  });

  it('init --dry-run of a list without stages, one request per group', async () => {
    const list = [
      '# Tasks',
      '',
      '## Models',
      '',
      '- [ ] `src/models/user.ts` — add an email field',
      '- [ ] `src/models/order.ts` — Order entity',
      '',
      '## App',
      '',
      '- [ ] `src/app.ts` — route /orders',
      '',
    ].join('\n');
    const text = await dryRunLines({ ...CODE, 'spec.md': list }, ['init', '--spec', 'spec.md', '--dry-run', '--max-tokens', '4000']);
    await expectGolden('dry-run-groups.jsonl', text);
  });
});
