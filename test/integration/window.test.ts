/**
 * Codebases larger than the window, end to end against the emulator (docs/context.md): a repo of
 * 300 files on a model whose window is overridden low (in the config and in the emulator alike).
 * The run ends with exit 0; at the emulator no request exceeds the window with its max_tokens; every
 * request maps every file; every rewrite task's request holds that file's current content in full;
 * requests of one group read their shared prefix from the cache. Dry run, estimate and status say
 * what each request sees.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { placeholderResponder, type ResponderRequest } from '../../src/emulator/index.js';
import { inputTokens } from '../../src/emulator/cache.js';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { git, makeRepo } from '../helpers/git.js';
import { countTokens } from '../../src/emulator/token-count.js';
import { estimateTokens } from '../../src/shared/tokens.js';
import { commitsPerPath, expectedFiles, makeTarget, statusJson, TASKS, type TaskSpec, taskListText } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const MODEL = 'claude-opus-4-8';
const WINDOW = 40_000;
const MAX_TOKENS = 4_000;
const MODELS = { [MODEL]: { contextWindow: WINDOW, minCacheTokens: 1024 } };
const DIRS = 20;
const PER_DIR = 15;

const fileName = (d: number, f: number) => `src/mod${String(d).padStart(2, '0')}/file${f}.ts`;

/** 300 TypeScript files, each importing two others (one in the next directory), ~200 tokens each. */
function codebase(): Record<string, string> {
  const files: Record<string, string> = { 'package.json': '{ "name": "big", "type": "module" }\n' };
  for (let d = 0; d < DIRS; d++) {
    for (let f = 0; f < PER_DIR; f++) {
      const next = fileName((d + 1) % DIRS, f);
      const sibling = fileName(d, (f + 1) % PER_DIR);
      const rel = (to: string) => `./${path.posix.relative(path.posix.dirname(fileName(d, f)), to).replace(/\.ts$/, '.js')}`.replace('./../', '../');
      const body = Array.from({ length: 12 }, (_, i) => `  total += helper${d}x${f}(${i}) * ${i + 1}; // accumulate step ${i} of module ${d}`).join(
        '\n',
      );
      files[fileName(d, f)] =
        `import { run${(d + 1) % DIRS}x${f} } from '${rel(next)}';\n` +
        `import { run${d}x${(f + 1) % PER_DIR} } from '${rel(sibling)}';\n\n` +
        `export function helper${d}x${f}(n: number): number {\n  return n + ${f};\n}\n\n` +
        `export function run${d}x${f}(): number {\n  let total = 0;\n${body}\n  return total + run${(d + 1) % DIRS}x${f}.length + run${d}x${(f + 1) % PER_DIR}.length;\n}\n`;
    }
  }
  return files;
}

/** Four groups: two rewrites of existing files and one new file each. */
const TASKS_BIG: TaskSpec[] = [3, 7, 11, 16].flatMap((d) => {
  const group = `Module ${d}`;
  const dir = `src/mod${String(d).padStart(2, '0')}`;
  return [
    { path: fileName(d, 0), description: `rewrite the helpers of module ${d} as arrow functions`, group },
    { path: fileName(d, 1), description: `add input validation to module ${d}`, group },
    { path: `${dir}/index.ts`, description: `re-export everything of module ${d}`, group },
  ];
});

const CONFIG = `export default { maxTokens: ${MAX_TOKENS}, models: ${JSON.stringify(MODELS)} };\n`;

interface Seen {
  customId: string | null;
  params: ResponderRequest['params'];
}

function recording(seen: Seen[]) {
  const inner = placeholderResponder();
  return (req: ResponderRequest) => {
    seen.push({ customId: req.customId, params: req.params });
    return inner(req);
  };
}

const blocks = (p: ResponderRequest['params']) => {
  const content = p.messages[0]!.content;
  return (typeof content === 'string' ? [{ type: 'text', text: content }] : content) as { type: string; text: string; cache_control?: unknown }[];
};

describe('map mode: a codebase larger than the window', () => {
  it('runs to exit 0 with every request within the window, mapping every file, each rewrite in full, groups sharing a cached prefix', async () => {
    const seen: Seen[] = [];
    h = await withEmulator({ models: MODELS, concurrency: 1, responder: recording(seen) });
    const files = codebase();
    const repo = await makeRepo({ ...files, 'harness.config.mjs': CONFIG, 'task-list.md': taskListText(TASKS_BIG) });

    // Before any spend: the dry run lists, per request, the files in full and the files only in the map.
    const dry = await h.run(repo, 'run', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    const listed = (await readFile(path.join(repo, '.harness/dry-run/batch-001.files.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { custom_id: string; context_mode: string; in_full: string[]; map_only: string[] });
    expect(listed.length).toBeGreaterThanOrEqual(TASKS_BIG.length / 3);
    const all = Object.keys(files);
    for (const l of listed) {
      expect(l.context_mode).toBe('map');
      expect([...l.in_full, ...l.map_only].length).toBeGreaterThanOrEqual(all.length);
      expect(l.in_full.length).toBeLessThan(all.length);
    }
    const est = await h.run(repo, 'estimate', '--json');
    expect(est.code, est.stderr).toBe(0);
    const estimate = JSON.parse(est.stdout);
    expect(estimate.context_mode).toBe('map');
    expect(estimate.cached_prefixes.count).toBe(4);
    expect(estimate.cached_prefixes.write_cost_usd).toBeGreaterThan(0);

    const r = await h.run(repo, 'run');
    expect(r.code, r.stderr).toBe(0);
    const s = await statusJson((...a) => h!.run(repo, ...a));
    expect(s.counts.done).toBe(TASKS_BIG.length);
    expect(s.context.mode).toBe('map');
    expect(s.context.files).toBeGreaterThanOrEqual(all.length);

    const work = seen.filter((x) => !x.customId?.startsWith('cache-warmup'));
    expect(work.length).toBeGreaterThanOrEqual(4);
    // The run reused the dry run's snapshot: its requests are the dry run's, byte for byte (map and group blocks are deterministic).
    const dryRequests = (await readFile(path.join(repo, '.harness/dry-run/batch-001.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { custom_id: string; params: { messages: unknown } });
    for (const d of dryRequests)
      expect(work.find((x) => x.customId === d.custom_id || x.customId?.startsWith(`${d.custom_id}_`))?.params.messages, d.custom_id).toEqual(
        d.params.messages,
      );
    for (const x of seen) expect(inputTokens(x.params) + x.params.max_tokens, x.customId ?? '').toBeLessThanOrEqual(WINDOW);
    for (const x of work) {
      const b = blocks(x.params);
      expect(b.filter((k) => k.cache_control).length).toBeLessThanOrEqual(4);
      for (const p of all) expect(b[0]!.text, `${x.customId} maps ${p}`).toContain(p);
      const asked = TASKS_BIG.filter((t) => b[b.length - 1]!.text.includes(`\`${t.path}\``));
      expect(asked.length, `${x.customId}: ${b[b.length - 1]!.text.slice(0, 200)}`).toBeGreaterThan(0);
      for (const t of asked) {
        if (!(t.path in files)) continue;
        const whole = `<file path="${t.path}">\n${files[t.path]}</file>`;
        expect(
          b.slice(0, -1).some((k) => k.text.includes(whole)),
          `${x.customId} holds ${t.path} in full`,
        ).toBe(true);
      }
    }

    // Requests of one group share a cached prefix: all but the first of each read it whole from the cache.
    const client = new Anthropic({ baseURL: h.emulator.url, apiKey: 'test-key' });
    const usage = new Map<string, Anthropic.Messages.Usage>();
    for await (const batch of client.beta.messages.batches.list()) {
      for await (const line of await client.beta.messages.batches.results(batch.id)) {
        if (line.result.type === 'succeeded') usage.set(line.custom_id, line.result.message.usage as Anthropic.Messages.Usage);
      }
    }
    const byGroup = new Map<string, Seen[]>();
    for (const x of work) {
      const b = blocks(x.params);
      const key = b[b.length - 2]!.text; // the group's own block
      byGroup.set(key, [...(byGroup.get(key) ?? []), x]);
    }
    // A synchronous refine in map mode sends the map, not the codebase that does not fit.
    const before = seen.length;
    const refine = await h.run(repo, 'refine', fileName(5, 2), '--message', 'tidy it up', '--force');
    expect(refine.code, refine.stderr).toBe(0);
    const sync = seen.slice(before);
    expect(sync).toHaveLength(1);
    expect(inputTokens(sync[0]!.params)).toBeLessThan(WINDOW / 2);
    // …and its max_tokens is lowered to what the window leaves beside its input (syncMaxTokens is 128K here).
    expect(inputTokens(sync[0]!.params) + sync[0]!.params.max_tokens).toBeLessThanOrEqual(WINDOW);
    expect(refine.stderr).toMatch(/max_tokens \d+ instead of/);
    expect(blocks(sync[0]!.params)[0]!.text).toMatch(/^# Repo map/);

    expect(byGroup.size).toBe(4);
    for (const group of byGroup.values()) {
      expect(group.length).toBe(3);
      const prefix = (x: Seen) => inputTokens({ ...x.params, messages: [{ role: 'user', content: blocks(x.params).slice(0, -1) }] } as never);
      const reads = group.filter((x) => usage.get(x.customId!)!.cache_read_input_tokens === prefix(x));
      expect(reads.length).toBeGreaterThanOrEqual(group.length - 1);
    }
  }, 240_000); // a 300-file repo: dry run, estimate, run and refine, each a CLI process
});

describe('map mode: a repo map larger than its share of the window', () => {
  it('the map is cut to half of what max_tokens leaves (top-ranked files keep their declarations, every directory stays listed) and the run still ends exit 0', async () => {
    const window = 28_000;
    const models = { [MODEL]: { contextWindow: window, minCacheTokens: 1024 } };
    const seen: Seen[] = [];
    h = await withEmulator({ models, concurrency: 1, responder: recording(seen) });
    const files = codebase();
    const config = `export default { maxTokens: ${MAX_TOKENS}, models: ${JSON.stringify(models)} };\n`;
    const repo = await makeRepo({ ...files, 'harness.config.mjs': config, 'task-list.md': taskListText(TASKS_BIG) });
    const r = await h.run(repo, 'run');
    expect(r.code, r.stderr).toBe(0);
    const budget = (window - MAX_TOKENS) / 2;
    const work = seen.filter((x) => !x.customId?.startsWith('cache-warmup'));
    expect(work.length).toBeGreaterThanOrEqual(4);
    for (const x of seen) expect(inputTokens(x.params) + x.params.max_tokens, x.customId ?? '').toBeLessThanOrEqual(window);
    for (const x of work) {
      const map = blocks(x.params)[0]!.text;
      expect(map).toMatch(/^# Repo map/);
      expect(estimateTokens(map), x.customId ?? '').toBeLessThanOrEqual(budget);
      for (let d = 0; d < DIRS; d++) expect(map, `${x.customId} lists src/mod${d}`).toContain(`src/mod${String(d).padStart(2, '0')}/`);
    }
  }, 240_000);
});

describe('model_context_window_exceeded end to end', () => {
  it('a reply the emulator stops at its window keeps its complete files; the rest are asked again and finished', async () => {
    // The harness believes the model's 1M window (every request passes its fit check); the emulator's
    // window is set to the request's input plus 60% of its reply (as the emulator counts tokens), so
    // the reply stops at the window.
    const config = 'export default { maxTokens: 8000, packing: { defaultTaskTokens: 300 }, cache: { warmup: false } };\n';
    const repo = await makeTarget({ files: { 'harness.config.mjs': config } });
    h = await withEmulator();
    const dry = await h.run(repo, 'run', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    const lines = (await readFile(path.join(repo, '.harness/dry-run/batch-001.jsonl'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1);
    const { custom_id, params } = JSON.parse(lines[0]!);
    const reply = await placeholderResponder()({ params, customId: custom_id, mode: 'batch' });
    const window = inputTokens(params) + Math.ceil(countTokens(reply) * 0.6);
    await h.close();

    // The Models API is down (400), so the harness keeps the table's 1M window, as it would with a
    // window the API shrank after the last answer it cached: only the reply's stop tells it.
    h = await withEmulator({
      models: { [MODEL]: { contextWindow: window } },
      faults: { http: [{ path: '^/v1/models', kind: 'status', status: 400, times: 0 }] },
    });
    const r = await h.run(repo, 'run');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr + r.stdout).toMatch(/context window/);
    expect((await expectedFiles(repo)).filter((f) => !f.ok)).toEqual([]);
    expect(h.emulator.stats().batchesCreated).toBeGreaterThanOrEqual(2);
    const perPath = commitsPerPath(repo);
    for (const t of TASKS) expect(perPath.get(t.path), t.path).toBe(1);
    const client = new Anthropic({ baseURL: h.emulator.url, apiKey: 'test-key' });
    const stops: string[] = [];
    for await (const batch of client.beta.messages.batches.list()) {
      for await (const line of await client.beta.messages.batches.results(batch.id)) {
        if (line.result.type === 'succeeded') stops.push(String(line.result.message.stop_reason));
      }
    }
    expect(stops).toContain('model_context_window_exceeded');
  });
});

describe('map mode: a group whose own files do not fit', () => {
  it('stops before any spend (exit 2), naming the group and its largest files; nothing sent, nothing committed', async () => {
    h = await withEmulator({ models: MODELS });
    const big = (n: number) =>
      Array.from({ length: n }, (_, i) => `export const value${i} = compute(${i}, 'padding text for size');`).join('\n') + '\n';
    const tasks: TaskSpec[] = [
      { path: 'src/big/huge.ts', description: 'split into smaller modules', group: 'Big files' },
      { path: 'src/big/large.ts', description: 'rename every value', group: 'Big files' },
      { path: 'src/mod00/file0.ts', description: 'a small change', group: 'Small' },
    ];
    const repo = await makeRepo({
      ...codebase(),
      'src/big/huge.ts': big(1500),
      'src/big/large.ts': big(900),
      'harness.config.mjs': CONFIG,
      'task-list.md': taskListText(tasks),
    });
    const head = git(repo, 'rev-parse', 'HEAD');
    const r = await h.run(repo, 'run');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/group "Big files"/);
    expect(r.stderr).toMatch(/src\/big\/huge\.ts\s+~[\d,]+ tokens\n\s+src\/big\/large\.ts/);
    expect(h.emulator.log().filter((e) => e.method === 'POST')).toEqual([]);
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(head);
  });
});
