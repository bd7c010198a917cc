/**
 * The preflight: with no ANTHROPIC_API_KEY, or an API that cannot be reached, `init` and `run` stop
 * before any side effect: no plan commit, no journal intent, no `.harness/`, git as it was; exit 2
 * with the fix (no key) or exit 1 naming the base URL and saying nothing was changed (unreachable).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { git, makeRepo } from '../helpers/git.js';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { makeTarget, taskListText } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const CODE = {
  'package.json': '{ "name": "target", "type": "module" }\n',
  'src/app.ts': 'export function route(path: string) {\n  return path;\n}\n',
};

function snapshot(repo: string) {
  return {
    head: git(repo, 'rev-parse', 'HEAD'),
    log: git(repo, 'log', '--format=%H %s'),
    status: git(repo, 'status', '--porcelain', '--untracked-files=all'),
  };
}

function expectUnchanged(repo: string, before: ReturnType<typeof snapshot>): void {
  expect(snapshot(repo)).toEqual(before);
  expect(existsSync(path.join(repo, '.harness'))).toBe(false);
}

const UNREACHABLE = 'http://127.0.0.1:1';

describe('preflight before any side effect', () => {
  it('init with no API key: exit 2 with the fix; nothing committed, no journal, no request', async () => {
    h = await withEmulator();
    const repo = await makeRepo({ ...CODE, 'spec.md': taskListText() });
    const before = snapshot(repo);
    const r = await runCli(['init', '--spec', 'spec.md', '--repo', repo], {
      env: { ANTHROPIC_BASE_URL: h.emulator.url, ANTHROPIC_API_KEY: undefined },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ANTHROPIC_API_KEY is not set; nothing was changed/);
    expect(r.stderr).toMatch(/export ANTHROPIC_API_KEY=/);
    expectUnchanged(repo, before);
    expect(h.emulator.log()).toEqual([]);
  });

  it('init against an unreachable API: exit 1 naming the base URL, nothing changed', async () => {
    const repo = await makeRepo({ ...CODE, 'spec.md': taskListText() });
    const before = snapshot(repo);
    const r = await runCli(['init', '--spec', 'spec.md', '--repo', repo], { env: { ANTHROPIC_BASE_URL: UNREACHABLE, ANTHROPIC_API_KEY: 'k' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot reach the API at ${UNREACHABLE}`);
    expect(r.stderr).toMatch(/nothing was changed/);
    expect(r.stderr).not.toMatch(/internal error|HTTP \?/);
    expectUnchanged(repo, before);
  });

  it('init in a directory that is not a repository, API unreachable: no .git and no .harness left behind', async () => {
    const dir = await makeRepo({ ...CODE, 'spec.md': taskListText() }, { git: false });
    const r = await runCli(['init', '--spec', 'spec.md', '--repo', dir], { env: { ANTHROPIC_BASE_URL: UNREACHABLE, ANTHROPIC_API_KEY: 'k' } });
    expect(r.code).toBe(1);
    expect(existsSync(path.join(dir, '.git'))).toBe(false);
    expect(existsSync(path.join(dir, '.harness'))).toBe(false);
    expect(existsSync(path.join(dir, 'task-list.md'))).toBe(false);
  });

  it('refine against an unreachable API: exit 1 naming the base URL; no snapshot taken, nothing changed', async () => {
    const repo = await makeTarget();
    const before = snapshot(repo);
    const r = await runCli(['refine', 'src/models/user.ts', '--message', 'add a field', '--repo', repo], {
      env: { ANTHROPIC_BASE_URL: UNREACHABLE, ANTHROPIC_API_KEY: 'k' },
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`cannot reach the API at ${UNREACHABLE}`);
    expect(snapshot(repo)).toEqual(before);
    expect(existsSync(path.join(repo, '.harness', 'context.txt'))).toBe(false);
  });

  it('run with no API key: exit 2, no intent in a journal, nothing changed', async () => {
    h = await withEmulator();
    const repo = await makeTarget();
    const before = snapshot(repo);
    const r = await runCli(['run', '--repo', repo], { env: { ANTHROPIC_BASE_URL: h.emulator.url, ANTHROPIC_API_KEY: undefined } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ANTHROPIC_API_KEY is not set/);
    expectUnchanged(repo, before);
    expect(h.emulator.log()).toEqual([]);
    // With nothing to do, run needs no key: it calls no API.
    const done = await makeRepo({ ...CODE, 'task-list.md': '# Tasks\n\n- [x] `src/app.ts` — done by hand\n' });
    const idle = await runCli(['run', '--repo', done], { env: { ANTHROPIC_BASE_URL: UNREACHABLE, ANTHROPIC_API_KEY: undefined } });
    expect(idle.code, idle.stderr).toBe(0);
  });

  it('run against an unreachable API: exit 1 naming the base URL, no intent, nothing changed', async () => {
    const repo = await makeTarget();
    const before = snapshot(repo);
    const r = await runCli(['run', '--repo', repo], { env: { ANTHROPIC_BASE_URL: UNREACHABLE, ANTHROPIC_API_KEY: 'k' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot reach the API at ${UNREACHABLE}`);
    expect(r.stderr).toMatch(/nothing was changed/);
    expectUnchanged(repo, before);
  });

  it('a key the API refuses is exit 2 before anything is changed', async () => {
    h = await withEmulator({ apiKey: 'the-right-key' });
    const repo = await makeTarget();
    const before = snapshot(repo);
    const r = await runCli(['run', '--repo', repo], { env: { ANTHROPIC_BASE_URL: h.emulator.url, ANTHROPIC_API_KEY: 'a-wrong-key' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refused ANTHROPIC_API_KEY \(HTTP 401\); nothing was changed/);
    expect(r.stderr).not.toContain('a-wrong-key');
    expectUnchanged(repo, before);
    expect(h.emulator.stats().batchesCreated).toBe(0);
  });
});
