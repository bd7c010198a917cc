import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRepo } from '../helpers/git.js';
import { runCli } from '../helpers/cli.js';

describe('harness CLI', () => {
  it('--help lists every command (docs/commands.md)', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['init', 'run', 'status', 'collect', 'cancel', 'estimate', 'refine', 'emulator']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
    }
  });

  it('each command has --help with --repo and --config', async () => {
    for (const c of ['init', 'run', 'status', 'collect', 'cancel', 'estimate', 'refine', 'emulator']) {
      const r = await runCli([c, '--help']);
      expect(r.code, c).toBe(0);
      expect(r.stdout).toContain('--repo <dir>');
      expect(r.stdout).toContain('--config <file>');
    }
  });

  it('an unknown command or option is bad usage (exit 2)', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    expect((await runCli(['status', '--bogus'])).code).toBe(2);
    expect((await runCli([])).code).toBe(2);
  });

  it('status --json on a repo with only a task-list.md: all pending, no batches, zero usage', async () => {
    const dir = await makeRepo({
      'task-list.md':
        '# Tasks\n\n## Auth\n\n- [ ] `src/auth/user.model.ts` — User entity with a zod schema\n- [ ] `src/auth/session.ts` — sessions\n',
    });
    const r = await runCli(['status', '--json', '--repo', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.tasks).toEqual([
      expect.objectContaining({ id: 't1', path: 'src/auth/user.model.ts', status: 'pending', attempts: 0, batch: null }),
      expect.objectContaining({ id: 't2', path: 'src/auth/session.ts', status: 'pending', attempts: 0, batch: null }),
    ]);
    expect(s.counts).toEqual({ pending: 2, submitted: 0, done: 0, failed: 0 });
    expect(s.batches).toEqual([]);
    expect(s.usage).toMatchObject({ input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
    expect(s.cost_usd).toBe(0);
  });

  it('a broken task list is exit 2 with task-list.md:LINE and the file untouched', async () => {
    const text = '# Tasks\n\n- [ ] `src/a.ts` — a\n- [ ] no path here\n';
    const dir = await makeRepo({ 'task-list.md': text });
    const r = await runCli(['status', '--repo', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/task-list\.md:4: /);
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(path.join(dir, 'task-list.md'), 'utf8')).toBe(text);
  });

  it('a broken config is exit 2 naming the file and the field', async () => {
    const dir = await makeRepo({ 'task-list.md': '- [ ] `a.ts` — a\n' });
    await writeFile(path.join(dir, 'harness.config.mjs'), 'export default { maxTokens: "lots" };\n');
    const r = await runCli(['status', '--repo', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/harness\.config\.mjs: .*maxTokens/);
  });

  it('a model that cannot take maxTokens is exit 2 before any request', async () => {
    const dir = await makeRepo({ 'task-list.md': '- [ ] `a.ts` — a\n' });
    const r = await runCli(['run', '--repo', dir, '--model', 'claude-haiku-4-5', '--max-tokens', '100000'], {
      env: { ANTHROPIC_BASE_URL: 'http://127.0.0.1:9', ANTHROPIC_API_KEY: 'k' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/does not support the output-300k-2026-03-24 beta/);
  });
});
