/**
 * `thinking` through the CLI: requests carry it as the API expects, the packer and the estimate count
 * the budget, the emulator answers with a thinking block first and the files are written from the
 * text alone; a budget the API would refuse is exit 2 before anything is sent.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { expectedFiles, makeTarget } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const config = (thinking: string) => ({ 'harness.config.mjs': `export default { maxTokens: 8000, thinking: ${thinking} };\n` });

describe('thinking', () => {
  it('a budget: sent as budget_tokens, counted by the estimate, and the run writes the files from the text blocks', async () => {
    h = await withEmulator();
    const repo = await makeTarget({ files: config('{ budgetTokens: 2000 }') });
    const dry = await h.run(repo, 'run', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    const dir = path.join(repo, '.harness/dry-run');
    const file = (await readdir(dir)).find((f) => /^batch-\d+\.jsonl$/.test(f))!;
    const lines = (await readFile(path.join(dir, file), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const l of lines) expect(l.params).toMatchObject({ max_tokens: 8000, thinking: { type: 'enabled', budget_tokens: 2000 } });
    const e = await h.run(repo, 'estimate', '--json');
    expect(e.code, e.stderr).toBe(0);
    const report = JSON.parse(e.stdout);
    expect(report.estimate.usage.output_tokens).toBeGreaterThanOrEqual(report.requests * 2000);
    const r = await h.run(repo, 'run');
    expect(r.code, r.stderr).toBe(0);
    expect((await expectedFiles(repo)).filter((f) => !f.ok)).toEqual([]);
    // The report shows the thinking tokens apart, from usage.output_tokens_details.
    const status = JSON.parse((await h.run(repo, 'status', '--json')).stdout);
    const tasks = status.batches.find((b: { purpose: string }) => b.purpose === 'tasks');
    expect(tasks.usage.thinking_output_tokens).toBeGreaterThan(0);
    expect(tasks.usage.thinking_output_tokens).toBeLessThan(tasks.usage.output_tokens);
    expect((await h.run(repo, 'status')).stdout).toMatch(/output \(\d+ of it thinking\)/);
  });

  it('a budget the API would refuse, or adaptive on a model without it, is exit 2 naming the config; nothing is sent', async () => {
    h = await withEmulator();
    const repo = await makeTarget({ files: config('{ budgetTokens: 8000 }') });
    const r = await h.run(repo, 'run');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /harness\.config\.mjs.*thinking\.budgetTokens 8000 must be below maxTokens 8000|thinking\.budgetTokens 8000 must be below maxTokens 8000/,
    );
    const haiku = await makeTarget({
      files: { 'harness.config.mjs': "export default { model: 'claude-haiku-4-5', maxTokens: 8000, thinking: 'adaptive' };\n" },
    });
    const a = await h.run(haiku, 'run');
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/'adaptive' is not supported by Claude Haiku 4\.5/);
    expect(h.emulator.stats().batchesCreated).toBe(0);
  });
});
