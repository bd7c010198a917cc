/**
 * `harness refine` and the llm planner, the synchronous paid calls: the same guards as batches
 * (exclusions, secrets, uncommitted edits, budget caps) before anything is sent, and retries of
 * transient failures. Fake secrets are assembled at run time from pieces.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git, makeRepo } from '../helpers/git.js';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { commitSubjects, makeTarget, statusJson } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const STRIPE = ['sk', '_live_', '9fK2mQ7wLx4Rt8Zp1Vb6Nc3D'].join('');
const AWS_ID = ['AK', 'IA', 'Q3ZK7W5T2M9XB4HY'].join('');

/** No POST reached the emulator: no message, no batch, no count_tokens. */
function nothingSent(harness: Harness): void {
  expect(harness.emulator.log().filter((e) => e.method !== 'GET')).toEqual([]);
}

const journal = async (repo: string) =>
  (await readFile(path.join(repo, '.harness/journal.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; purpose?: string; costUsd?: number; usage?: { input_tokens: number } });

async function commit(repo: string, files: Record<string, string>, message: string): Promise<void> {
  for (const [rel, content] of Object.entries(files)) await writeFile(path.join(repo, rel), content);
  git(repo, 'add', ...Object.keys(files));
  git(repo, 'commit', '-qm', message);
}

describe('refine sends only what a batch may send', () => {
  it("a file the config excludes, .env, and a .harnessignore'd file are refused (exit 2) with --force too; nothing is sent or changed", async () => {
    h = await withEmulator();
    const repo = await makeTarget({
      files: {
        'src/aws.ts': `export const id = '${AWS_ID}';\n`,
        '.env': `STRIPE_KEY=${STRIPE}\n`,
        '.harnessignore': 'src/private/\n',
        'src/private/notes.ts': 'export const notes = "internal";\n',
        'harness.config.mjs': "export default { exclude: ['src/aws.ts'] };\n",
      },
    });
    const head = git(repo, 'rev-parse', 'HEAD');
    const cases: [string, RegExp][] = [
      ['src/aws.ts', /cannot refine src\/aws\.ts: it is left out of the codebase context \(excluded by the config/],
      ['.env', /cannot refine \.env: it is left out of the codebase context \(default exclude: environment file\)/],
      ['src/private/notes.ts', /\.harnessignore/],
    ];
    for (const [file, message] of cases) {
      const r = await h.run(repo, 'refine', file, '--message', 'tidy it up', '--force');
      expect(r.code, `${file}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toContain(AWS_ID);
      expect(r.stderr).not.toContain(STRIPE);
    }
    nothingSent(h);
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(head);
    expect(await readFile(path.join(repo, '.env'), 'utf8')).toBe(`STRIPE_KEY=${STRIPE}\n`);
  });

  it('a secret in the file as it is now (after the snapshot) stops refine: path:line: kind, never the secret', async () => {
    h = await withEmulator();
    const repo = await makeTarget();
    expect((await h.run(repo, 'run', '--max-tokens', '8000')).code).toBe(0); // snapshot taken, files generated
    const posts = h.emulator.log().filter((e) => e.method === 'POST').length;
    await commit(repo, { 'src/models/user.ts': `export const user = 1;\nexport const billingKey = '${STRIPE}';\n` }, 'hand edit');
    const head = git(repo, 'rev-parse', 'HEAD');
    const r = await h.run(repo, 'refine', 'src/models/user.ts', '--message', 'validate the email');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('src/models/user.ts:2: Stripe live secret key');
    expect(r.stderr + r.stdout).not.toContain(STRIPE);
    expect(h.emulator.log().filter((e) => e.method === 'POST')).toHaveLength(posts);
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(head);
  });

  it('a secret in --message stops refine: "--message: kind", never the secret, nothing sent', async () => {
    h = await withEmulator();
    const repo = await makeTarget();
    const r = await h.run(repo, 'refine', 'src/models/user.ts', '--message', `use ${STRIPE} to charge the user`);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('--message: Stripe live secret key');
    expect(r.stderr + r.stdout).not.toContain(STRIPE);
    nothingSent(h);
  });

  it('an uncommitted edit of the file is refused (exit 2, named); --allow-dirty overwrites it and commits it with the refine', async () => {
    h = await withEmulator();
    const repo = await makeTarget();
    expect((await h.run(repo, 'run', '--max-tokens', '8000')).code).toBe(0);
    const posts = h.emulator.log().filter((e) => e.method === 'POST').length;
    const file = path.join(repo, 'src/models/user.ts');
    const edit = '// my work in progress\n';
    await writeFile(file, edit);
    const head = git(repo, 'rev-parse', 'HEAD');
    const r = await h.run(repo, 'refine', 'src/models/user.ts', '--message', 'validate the email');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/uncommitted changes in the file refine would write: src\/models\/user\.ts/);
    expect(r.stderr).toMatch(/--allow-dirty/);
    expect(await readFile(file, 'utf8')).toBe(edit);
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(head);
    expect(h.emulator.log().filter((e) => e.method === 'POST')).toHaveLength(posts);

    const forced = await h.run(repo, 'refine', 'src/models/user.ts', '--message', 'validate the email', '--allow-dirty');
    expect(forced.code, forced.stderr).toBe(0);
    expect(commitSubjects(repo)[0]).toBe('harness: refine src/models/user.ts');
    expect(git(repo, 'status', '--porcelain', '--', 'src/models/user.ts')).toBe('');
  });
});

describe('budget caps on synchronous calls', () => {
  it('refine over budget.perRunUsd or budget.totalUsd stops before the call (exit 2, with the numbers)', async () => {
    h = await withEmulator();
    const repo = await makeTarget({ files: { 'harness.config.mjs': 'export default { budget: { perRunUsd: 0.01 } };\n' } });
    const r = await h.run(repo, 'refine', 'src/models/user.ts', '--message', 'validate the email');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /refine of src\/models\/user\.ts would cross budget\.perRunUsd \$0\.0100: this run has committed \$0\.0000, refine of src\/models\/user\.ts can cost up to \$\d/,
    );
    nothingSent(h);

    // Spent so far (journal) + the call's ceiling against the total.
    await commit(repo, { 'harness.config.mjs': 'export default { syncMaxTokens: 2000, budget: { totalUsd: 100 } };\n' }, 'a total cap');
    const ok = await h.run(repo, 'refine', 'src/models/user.ts', '--message', 'validate the email');
    expect(ok.code, ok.stderr).toBe(0);
    const spent = (await statusJson((...a) => h!.run(repo, ...a))).cost_usd as number;
    await commit(
      repo,
      { 'harness.config.mjs': `export default { syncMaxTokens: 2000, budget: { totalUsd: ${spent + 0.001} } };\n` },
      'total nearly spent',
    );
    const posts = h.emulator.log().filter((e) => e.method === 'POST').length;
    const over = await h.run(repo, 'refine', 'src/models/user.ts', '--message', 'validate the email again');
    expect(over.code).toBe(2);
    expect(over.stderr).toMatch(/would cross budget\.totalUsd/);
    expect(h.emulator.log().filter((e) => e.method === 'POST')).toHaveLength(posts);
  });

  it('the llm planner over budget stops before its call (exit 2); nothing is sent or committed', async () => {
    h = await withEmulator();
    const repo = await makeRepo({
      'src/app.ts': 'export const app = 1;\n',
      'spec.md': '# Shop\n\n- users\n- orders\n',
      'harness.config.mjs': 'export default { budget: { perRunUsd: 0.05 } };\n',
    });
    const head = git(repo, 'rev-parse', 'HEAD');
    const r = await h.run(repo, 'init', '--planner', 'llm', '--spec', 'spec.md');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/the planner call would cross budget\.perRunUsd \$0\.0500/);
    nothingSent(h);
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(head);
  });
});

describe('transient failures of streaming calls', () => {
  it('refine: an overloaded_error mid-stream is retried from scratch; one file, one commit, both attempts counted', async () => {
    h = await withEmulator();
    const repo = await makeTarget();
    expect((await h.run(repo, 'run', '--max-tokens', '8000')).code).toBe(0);
    h.emulator.setFaults({ http: [{ method: 'POST', path: '^/v1/messages$', kind: 'stream-error', afterChars: 40 }] });
    const r = await h.run(repo, 'refine', 'src/models/user.ts', '--message', 'validate the email');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/attempt 1 failed .*overloaded/);
    expect(h.emulator.log().filter((e) => e.method === 'POST' && e.path === '/v1/messages')).toHaveLength(2);
    expect(commitSubjects(repo)[0]).toBe('harness: refine src/models/user.ts');
    const calls = (await journal(repo)).filter((e) => e.type === 'call' && e.purpose === 'refine');
    expect(calls).toHaveLength(2); // the cut attempt (what it may be billed for) and the answer
    expect(calls[0]!.usage!.input_tokens).toBeGreaterThan(0);
    expect(calls[0]!.costUsd).toBeGreaterThan(0);
  });

  it('the llm planner: an overloaded_error mid-stream is retried; the plan is made once', async () => {
    h = await withEmulator({ faults: { http: [{ method: 'POST', path: '^/v1/messages$', kind: 'stream-error', afterChars: 30 }] } });
    const repo = await makeRepo({ 'src/app.ts': 'export const app = 1;\n', 'spec.md': '# Orders\n\n## Entities\n\n- User: id, email\n' });
    const r = await h.run(repo, 'init', '--planner', 'llm', '--spec', 'spec.md', '--no-submit');
    expect(r.code, r.stderr).toBe(0);
    expect(h.emulator.log().filter((e) => e.method === 'POST' && e.path === '/v1/messages')).toHaveLength(2);
    expect(commitSubjects(repo)[0]).toMatch(/^harness: plan \d+ tasks \(llm planner\)$/);
  });
});

describe('defaults follow the model', () => {
  it('--model claude-haiku-4-5 with no maxTokens works (its own ceiling, no beta)', async () => {
    h = await withEmulator();
    const repo = await makeTarget();
    const r = await h.run(repo, 'run', '--model', 'claude-haiku-4-5');
    expect(r.code, r.stderr).toBe(0);
    const s = await statusJson((...a) => h!.run(repo, ...a));
    expect(s.counts.done).toBe(6);
  });
});
