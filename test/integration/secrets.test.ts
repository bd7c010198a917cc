/**
 * Every text that leaves the machine goes through the secret check, and a stale snapshot is never
 * sent. Fake secrets are assembled at run time from pieces, so this repo holds no literal one.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { placeholderResponder, type ResponderRequest } from '../../src/emulator/index.js';
import { git, makeRepo } from '../helpers/git.js';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { makeTarget, taskListText, TASKS } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const STRIPE = ['sk', '_live_', '4eC39HqLyjWDarjtT1zdp7dc'].join('');
const JWT = [
  Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url'),
  Buffer.from('{"sub":"svc-billing","iat":1700000000}').toString('base64url'),
  'Xk2Lq9vB7nR4tY1wZ8cD3fG6hJ0mP5sA2eU7iO4yT9r',
].join('.');
const PASSWORD = ['Qw7!', 'vR2#', 'zL9x'].join('');

/** Nothing that carries a prompt was sent: no batch, no message, no count_tokens (a free GET may have checked the key). */
function nothingSent(harness: Harness): void {
  expect(harness.emulator.log().filter((e) => e.method !== 'GET')).toEqual([]);
  const stats = harness.emulator.stats();
  expect([stats.batchesCreated, stats.messages, stats.countTokens]).toEqual([0, 0, 0]);
}

/** Every prompt the emulator answered, as JSON text. */
function recording(): { prompts: string[]; responder: (req: ResponderRequest) => string | Promise<string> } {
  const prompts: string[] = [];
  const inner = placeholderResponder();
  return {
    prompts,
    responder: (req) => {
      prompts.push(JSON.stringify(req.params));
      return inner(req);
    },
  };
}

describe('secrets in the texts that leave the machine', () => {
  it('a key pasted into a task description: run and estimate stop before any request, naming task-list.md:LINE, never the key', async () => {
    h = await withEmulator();
    const tasks = TASKS.map((t, i) => (i === 2 ? { ...t, description: `in-memory user service; charge cards with ${STRIPE}` } : t));
    const repo = await makeTarget({ tasks });
    const line =
      taskListText(tasks)
        .split('\n')
        .findIndex((l) => l.includes(STRIPE)) + 1;
    const head = git(repo, 'rev-parse', 'HEAD');

    for (const command of [['run'], ['estimate'], ['run', '--dry-run']]) {
      const r = await h.run(repo, ...command);
      expect(r.code, `${command.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`task-list.md:${line}: Stripe live secret key`);
      expect(r.stderr + r.stdout).not.toContain(STRIPE);
    }
    nothingSent(h);
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(head);

    // Allowed by line in the config: the run goes ahead.
    await writeFile(path.join(repo, 'harness.config.mjs'), `export default { secrets: { allow: ['task-list.md:${line}'] } };\n`);
    git(repo, 'add', 'harness.config.mjs');
    git(repo, 'commit', '-qm', 'allow the test key');
    const ok = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('a secret in a spec outside the repo: the llm planner stops before its call, naming the spec and line', async () => {
    h = await withEmulator();
    const repo = await makeRepo({ 'package.json': '{ "name": "shop" }\n', 'src/app.ts': 'export const app = 1;\n' });
    const outside = await mkdtemp(path.join(os.tmpdir(), 'harness-spec-'));
    const spec = path.join(outside, 'spec.md');
    await writeFile(spec, `# Shop\n\n## Billing\n\nThe billing service authenticates with ${JWT}.\n`);
    const head = git(repo, 'rev-parse', 'HEAD');
    const r = await h.run(repo, 'init', '--planner', 'llm', '--spec', spec, '--no-submit');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`${spec}:5: JSON Web Token (JWT)`);
    expect(r.stderr + r.stdout).not.toContain(JWT);
    nothingSent(h);
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(head);
  });

  it('a Stripe live key, a JWT and a password assignment in source files are found; a password read from the environment is not', async () => {
    h = await withEmulator();
    const repo = await makeTarget({
      files: {
        'src/billing.ts': `import Stripe from 'stripe';\n\nexport const stripe = new Stripe('${STRIPE}');\n`,
        'src/auth.ts': `// service token\nexport const token = '${JWT}';\n`,
        'src/db.ts': `export const db = {\n  host: 'db.internal',\n  password: '${PASSWORD}',\n};\n`,
        'src/db.prod.ts': 'export const db = {\n  password: process.env.DB_PASSWORD,\n};\nexport interface Db { password: string }\n',
      },
    });
    const r = await h.run(repo, 'run');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('src/auth.ts:2: JSON Web Token (JWT)');
    expect(r.stderr).toContain('src/billing.ts:3: Stripe live secret key');
    expect(r.stderr).toContain('src/db.ts:3: password assigned a literal value');
    expect(r.stderr).not.toContain('src/db.prod.ts');
    for (const secret of [STRIPE, JWT, PASSWORD]) expect(r.stderr + r.stdout).not.toContain(secret);
    nothingSent(h);
  });
});

describe('the codebase snapshot follows the config', () => {
  it('a directory excluded after init is in no request of the run: the snapshot is rebuilt', async () => {
    const rec = recording();
    h = await withEmulator({ responder: rec.responder });
    const marker = 'PRIVATE-CUSTOMER-LIST-7f3a';
    const repo = await makeTarget({ files: { 'private/customers.ts': `export const customers = ['${marker}'];\n` } });
    const init = await h.run(repo, 'init', '--no-submit');
    expect(init.code, init.stderr).toBe(0);
    expect(await readFile(path.join(repo, '.harness/context.txt'), 'utf8')).toContain(marker);

    // The person keeps private/ out from now on.
    await writeFile(path.join(repo, 'harness.config.mjs'), "export default { exclude: ['private/**'] };\n");
    git(repo, 'add', 'harness.config.mjs');
    git(repo, 'commit', '-qm', 'keep private data out');
    const r = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/snapshot is out of date \(exclude changed/);
    expect(rec.prompts.length).toBeGreaterThan(0);
    for (const prompt of rec.prompts) expect(prompt).not.toContain(marker);
    expect(await readFile(path.join(repo, '.harness/context.txt'), 'utf8')).not.toContain(marker);
  });

  it('a secret allowed at init and no longer allowed stops the next run; a smaller window is checked again', async () => {
    h = await withEmulator();
    const repo = await makeTarget({
      files: {
        'src/billing.ts': `export const key = '${STRIPE}';\n`,
        'harness.config.mjs': "export default { secrets: { allow: ['src/billing.ts'] } };\n",
      },
    });
    expect((await h.run(repo, 'init', '--no-submit')).code).toBe(0);
    await writeFile(path.join(repo, 'harness.config.mjs'), 'export default {};\n');
    git(repo, 'commit', '-qam', 'no more allow entries');
    const r = await h.run(repo, 'run');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('src/billing.ts:1: Stripe live secret key');
    nothingSent(h);

    // The same snapshot with a model whose window it does not fit (context.mode full): refused before sending.
    await writeFile(
      path.join(repo, 'harness.config.mjs'),
      "export default { secrets: { allow: ['src/billing.ts'] }, model: 'tiny', models: { tiny: { contextWindow: 40000, maxOutput: 4000, extendedMaxOutput: null, prices: { input: 1, output: 5 } } }, context: { mode: 'full' } };\n",
    );
    git(repo, 'commit', '-qam', 'a small model');
    const small = await h.run(repo, 'run');
    expect(small.code).toBe(2);
    expect(small.stderr).toMatch(/does not fit tiny's input window/);
    nothingSent(h);
  });
});
