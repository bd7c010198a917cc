/** `status` with stages: each task's stage, the stage in progress, what holds it back (human and JSON). */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { printStatus } from '../../src/cli/report.js';
import { resolveModel } from '../../src/models/models.js';
import { buildStatus } from '../../src/pipeline/status.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function statusOf(list: string) {
  const dir = await mkdtemp(path.join(tmpdir(), 'status-stages-'));
  dirs.push(dir);
  await writeFile(path.join(dir, 'task-list.md'), list);
  const report = await buildStatus(dir, resolveModel('claude-opus-4-8'));
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => {
    text += d.toString();
  });
  printStatus({ out, err: out, env: { NO_COLOR: '1' } }, report);
  return { report, text };
}

const STAGED = [
  '# Shop',
  '## Stage 1: Models',
  '- [x] `src/models/user.ts` — User <!-- harness: id=t1 status=done attempts=1 -->',
  '- [ ] `src/models/order.ts` — Order <!-- harness: id=t2 status=failed attempts=3 reason="output truncated 3 times" -->',
  '## Stage 2: Services',
  '- [ ] `src/services/user.ts` — UserService',
  '',
].join('\n');

describe('status: stages', () => {
  it('JSON: stage on every task, the stage in progress and what holds it back', async () => {
    const { report } = await statusOf(STAGED);
    expect(report.tasks.map((t) => [t.path, t.stage])).toEqual([
      ['src/models/user.ts', 1],
      ['src/models/order.ts', 1],
      ['src/services/user.ts', 2],
    ]);
    expect(report.stage).toBe(2);
    expect(report.stage_held).toBe(
      'stage 2 waits for stage 1: src/models/order.ts failed (output truncated 3 times); fix it and run `harness retry src/models/order.ts`, then `harness run`',
    );
  });

  it('human: a stage column, the stage in progress, the task holding it back', async () => {
    const { text } = await statusOf(STAGED);
    expect(text).toMatch(/id\s+stage\s+path/);
    expect(text).toContain('stage 2 of 2 in progress');
    expect(text).toContain('stage 2 waits for stage 1: src/models/order.ts failed');
  });

  it('without stage headings: stage 1 everywhere, no stage column, nothing said about stages', async () => {
    const { report, text } = await statusOf('# T\n\n- [ ] `a.ts`\n- [x] `b.ts`\n');
    expect(report.tasks.map((t) => t.stage)).toEqual([1, 1]);
    expect(report.stage).toBe(1);
    expect(report.stage_held).toBeNull();
    expect(text).not.toMatch(/stage/);
  });

  it('nothing pending or submitted: no stage in progress (null)', async () => {
    const { report, text } = await statusOf('## Stage 1: a\n\n- [x] `a.ts`\n\n## Stage 2: b\n\n- [x] `b.ts`\n');
    expect(report.stage).toBeNull();
    expect(text).toContain('no stage in progress (stages 1–2)');
  });
});
