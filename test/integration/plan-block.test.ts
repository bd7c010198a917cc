/**
 * The plan in every request: every request of a multi-request run carries the whole
 * task list in its cached prefix and asks only for its own files after it; editing one description
 * rewrites the plan block and leaves the codebase block byte-identical, so it reads its cache.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { placeholderResponder, type ResponderRequest } from '../../src/emulator/index.js';
import { git } from '../helpers/git.js';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { makeTarget, statusJson, TASKS } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

type Block = { type: string; text?: string; cache_control?: unknown };
interface Seen {
  customId: string | null;
  blocks: Block[];
}

/** Every request the emulator answered, with its user content blocks. */
function recording(): { seen: Seen[]; responder: (req: ResponderRequest) => string | Promise<string> } {
  const seen: Seen[] = [];
  const inner = placeholderResponder();
  return {
    seen,
    responder: (req) => {
      const content = req.params.messages[0]?.content;
      seen.push({ customId: req.customId, blocks: structuredClone(Array.isArray(content) ? (content as Block[]) : []) });
      return inner(req);
    },
  };
}

/** A codebase above every model's minimum cacheable prefix. */
function codebase(): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < 12; i++) {
    out[`src/lib/module${String(i).padStart(2, '0')}.ts`] = Array.from(
      { length: 30 },
      (_, j) => `export function handler${i}_${j}(input: number): number {\n  return input * ${j} + ${i};\n}\n`,
    ).join('\n');
  }
  return out;
}

const cachedText = (s: Seen) =>
  s.blocks
    .filter((b) => b.cache_control != null)
    .map((b) => b.text ?? '')
    .join('\n');
const uncachedText = (s: Seen) =>
  s.blocks
    .filter((b) => b.cache_control == null)
    .map((b) => b.text ?? '')
    .join('\n');

async function intentRequests(repo: string): Promise<{ customId: string; paths: string[] }[][]> {
  return (await readFile(path.join(repo, '.harness/journal.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((e) => e.type === 'intent')
    .map((e) => e.requests);
}

describe('the plan in every request', () => {
  it('every request carries every task of the plan in its cached part and asks only for its own files; an edited description changes the plan block only', async () => {
    const rec = recording();
    h = await withEmulator({ responder: rec.responder });
    const repo = await makeTarget({ files: { ...codebase(), 'harness.config.mjs': 'export default { cache: { warmup: false } };\n' } });
    const r = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(r.code, r.stderr).toBe(0);

    const [first] = await intentRequests(repo);
    expect(first!.length).toBeGreaterThan(1);
    const own = new Map(first!.map((q) => [q.customId, q.paths]));
    expect(rec.seen).toHaveLength(first!.length);
    for (const s of rec.seen) {
      // Codebase, then the plan, each a breakpoint; then this request's files.
      expect(s.blocks.map((b) => b.cache_control != null)).toEqual([true, true, false]);
      expect(s.blocks[1]!.text).toMatch(/^# The plan\n/);
      const cached = cachedText(s);
      for (const t of TASKS) expect(cached).toContain(`- \`${t.path}\` — ${t.description}`);
      expect(cached).toContain('# Tasks');
      expect(cached).toContain('## Services');
      const mine = own.get(s.customId!)!;
      const rest = uncachedText(s);
      for (const t of TASKS) {
        if (mine.includes(t.path)) expect(rest).toContain(t.path);
        else expect(rest).not.toContain(t.path);
      }
    }
    // Byte-identical prefixes across the requests of the run.
    expect(new Set(rec.seen.map((s) => JSON.stringify(s.blocks.slice(0, 2)))).size).toBe(1);
    const before = rec.seen[0]!;

    // A person edits one description and unticks its line: the plan block changes, the codebase block does not.
    const list = path.join(repo, 'task-list.md');
    const text = await readFile(list, 'utf8');
    await writeFile(
      list,
      text.replace(
        '- [x] `src/models/order.ts` — Order entity with validation',
        '- [ ] `src/models/order.ts` — Order entity with validation and a total',
      ),
    );
    git(repo, 'commit', '-qam', 'edit the order model');
    rec.seen.length = 0;
    const again = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(again.code, again.stderr).toBe(0);
    expect(rec.seen).toHaveLength(1);
    const after = rec.seen[0]!;
    expect(after.blocks[0]).toEqual(before.blocks[0]);
    expect(after.blocks[1]!.text).not.toBe(before.blocks[1]!.text);
    expect(after.blocks[1]!.text).toContain('Order entity with validation and a total');
    expect(after.blocks[1]!.text!.replace(' and a total', '')).toBe(before.blocks[1]!.text);
    expect(uncachedText(after)).toContain('src/models/order.ts');

    // The emulator read the codebase prefix from the cache and wrote only the plan after it.
    const s = await statusJson((...a) => h!.run(repo, ...a));
    const batches = s.batches.filter((b: { purpose: string }) => b.purpose === 'tasks');
    const u = batches[batches.length - 1].usage;
    expect(u.cache_read_input_tokens).toBeGreaterThan(4096);
    expect(u.cache_creation_input_tokens).toBeGreaterThan(0);
    expect(u.cache_creation_input_tokens).toBeLessThan(u.cache_read_input_tokens / 4);
  });

  it('stage 2 requests carry the files stage 1 wrote, byte for byte, in a cached block between the codebase and the plan; the codebase block reads its cache', async () => {
    const rec = recording();
    h = await withEmulator({ responder: rec.responder });
    const list = [
      '# Shop',
      '',
      '## Stage 1: Models',
      '',
      '- [ ] `src/models/user.ts` — User: { id: string; name: string }',
      '- [ ] `src/models/order.ts` — Order: { id: string; userId: string }',
      '',
      '## Stage 2: Services',
      '',
      '- [ ] `src/services/user.service.ts` — UserService: create(name: string): User',
      '- [ ] `src/services/order.service.ts` — OrderService: place(userId: string): Order',
      '',
    ].join('\n');
    const repo = await makeTarget({ files: { ...codebase(), 'harness.config.mjs': 'export default { cache: { warmup: false } };\n' } });
    await writeFile(path.join(repo, 'task-list.md'), list);
    git(repo, 'commit', '-qam', 'staged list');
    const r = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(r.code, r.stderr).toBe(0);

    const intents = await intentRequests(repo);
    expect(intents.map((i) => i.flatMap((q) => q.paths).sort())).toEqual([
      ['src/models/order.ts', 'src/models/user.ts'],
      ['src/services/order.service.ts', 'src/services/user.service.ts'],
    ]);
    const stage1 = new Set(intents[0]!.map((q) => q.customId));
    const first = rec.seen.filter((s) => stage1.has(s.customId!));
    const second = rec.seen.filter((s) => !stage1.has(s.customId!));
    expect(first).toHaveLength(2);
    expect(second).toHaveLength(2);
    for (const s of first) expect(s.blocks.map((b) => b.cache_control != null)).toEqual([true, true, false]);
    const user = await readFile(path.join(repo, 'src/models/user.ts'), 'utf8');
    const order = await readFile(path.join(repo, 'src/models/order.ts'), 'utf8');
    for (const s of second) {
      expect(s.blocks.map((b) => b.cache_control != null)).toEqual([true, true, true, false]);
      // The codebase block is the same bytes in both stages; stage 1's files follow it in full; then the plan.
      expect(s.blocks[0]).toEqual(first[0]!.blocks[0]);
      const earlier = s.blocks[1]!.text!;
      expect(earlier).toMatch(/^# Files written by earlier stages\n/);
      expect(earlier).toContain(`<file path="src/models/order.ts">\n${order}</file>\n\n<file path="src/models/user.ts">\n${user}</file>\n`);
      expect(s.blocks[2]!.text).toBe(first[0]!.blocks[1]!.text);
      expect(uncachedText(s)).not.toContain('src/models/');
    }

    const st = await statusJson((...a) => h!.run(repo, ...a));
    const tasks = st.batches.filter((b: { purpose: string }) => b.purpose === 'tasks');
    expect(tasks).toHaveLength(2);
    // Stage 2 reads the codebase (and the system prompt) from the cache and writes only the new blocks.
    expect(tasks[1].usage.cache_read_input_tokens).toBeGreaterThan(4096);
  });

  it('with warm-ups on, each stage warms up its own prefix: every request of stage 2 reads codebase, stage 1 files and plan from the cache', async () => {
    h = await withEmulator();
    const line = (p: string) => `- [ ] \`${p}\` — ${p.split('/').pop()}`;
    const list = [
      '# Shop',
      '',
      '## Stage 1: Models',
      '',
      ...['a', 'b', 'c', 'd'].map((n) => line(`src/models/${n}.ts`)),
      '',
      '## Stage 2: Services',
      '',
      ...['a', 'b', 'c', 'd'].map((n) => line(`src/services/${n}.ts`)),
      '',
    ].join('\n');
    const repo = await makeTarget({ files: codebase() });
    await writeFile(path.join(repo, 'task-list.md'), list);
    git(repo, 'commit', '-qam', 'staged list');
    const r = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(r.code, r.stderr).toBe(0);
    const st = await statusJson((...a) => h!.run(repo, ...a));
    expect(st.batches.map((b: { purpose: string; requests: number }) => [b.purpose, b.requests])).toEqual([
      ['warmup', 1],
      ['tasks', 4],
      ['warmup', 1],
      ['tasks', 4],
    ]);
    // The second warm-up read the codebase and wrote only the blocks after it; stage 2 wrote nothing.
    expect(st.batches[2].usage.cache_read_input_tokens).toBeGreaterThan(4096);
    expect(st.batches[3].usage.cache_creation_input_tokens).toBe(0);
    expect(st.batches[3].usage.cache_read_input_tokens).toBeGreaterThan(4 * 4096);
  });

  it('estimate counts the earlier stages block and the plan: within 5% of the billed input of stage 2', async () => {
    h = await withEmulator();
    const models = Object.fromEntries(
      ['a', 'b'].map((n) => [`src/models/${n}.ts`, `export interface ${n.toUpperCase()} {\n${'  field: string;\n'.repeat(400)}}\n`]),
    );
    const list = [
      '# Shop',
      '',
      '## Stage 1: Models',
      '',
      '- [x] `src/models/a.ts` — A',
      '- [x] `src/models/b.ts` — B',
      '',
      '## Stage 2: Services',
      '',
      '- [ ] `src/services/a.ts` — uses A',
      '- [ ] `src/services/b.ts` — uses B',
      '',
    ].join('\n');
    const repo = await makeTarget({ files: { ...codebase(), ...models, 'harness.config.mjs': 'export default { cache: { warmup: false } };\n' } });
    await writeFile(path.join(repo, 'task-list.md'), list);
    git(repo, 'commit', '-qam', 'stage 1 done by hand');
    const e = await h.run(repo, 'estimate', '--json', '--max-tokens', '8000');
    expect(e.code, e.stderr).toBe(0);
    const report = JSON.parse(e.stdout);
    expect(report.requests).toBe(2);
    const r = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(r.code, r.stderr).toBe(0);
    const st = await statusJson((...a) => h!.run(repo, ...a));
    const billed = st.batches.find((b: { purpose: string }) => b.purpose === 'tasks').usage;
    const total = (u: { input_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number }) =>
      u.input_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens;
    // The stage 1 files are in the codebase and again, in full, in the earlier stages' block: both counted.
    expect(total(billed)).toBeGreaterThan(2 * 2 * 400 * 3);
    expect(Math.abs(total(report.estimate.usage) - total(billed)) / total(billed)).toBeLessThan(0.05);
    expect(report.estimate.usage.cache_creation_input_tokens).toBeGreaterThan(4096);
  });
});
