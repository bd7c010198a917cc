import { describe, expect, it } from 'vitest';
import { ambiguousNote, buildRequest, EMPTY_CONTEXT_TEXT, fileListLines, requestFingerprint, type BatchRequest } from '../../src/requests/build.js';
import { splitIntoBatches } from '../../src/batch/split-batches.js';
import { packTasks, type PackedRequest } from '../../src/requests/pack.js';
import { loadTemplates, type Templates } from '../../src/requests/templates.js';
import { filesToWrite } from '../../src/emulator/prompt.js';
import { HarnessError } from '../../src/shared/errors.js';
import type { Task } from '../../src/tasks/task.js';

function task(n: number, path: string, description = `file ${n}`, group = 'g'): Task {
  return { id: `t${n}`, status: 'pending', attempts: 0, batch: null, reason: null, path, description, group, stage: 1, checked: false, line: n };
}

const templates: Templates = await loadTemplates();
const context = { text: '# Codebase\n\n<<<FILE src/existing.ts>>>\nexport const x = 1;\n<<<END src/existing.ts>>>\n' };

function build(packed: PackedRequest, existing: Iterable<string> = [], t: Templates = templates): BatchRequest {
  return buildRequest(packed, { context, templates: t, model: 'claude-opus-4-8', maxTokens: 200_000, existingPaths: new Set(existing) });
}

type Block = { type: string; text: string; cache_control?: { type: string; ttl?: string } };
const blocks = (r: BatchRequest): Block[] => r.params.messages[0]!.content as Block[];

const tasks = [
  task(1, 'src/existing.ts', 'Rewrite with a default export', 'A'),
  task(2, 'src/new one.ts', '', 'A'),
  task(3, 'src/we`ird.ts', 'Path with a backtick', 'B'),
  task(4, 'docs/guide.md', 'A guide\nover two lines', 'B'),
];
const packed = packTasks(tasks, { maxTokens: 100, safetyMargin: 0, estimate: () => 40 });

describe('buildRequest', () => {
  it('sends system.md as the system prompt, the model, max_tokens and no stream/betas', () => {
    const r = build(packed[0]!);
    expect(r.custom_id).toBe(packed[0]!.customId);
    expect(r.params.model).toBe('claude-opus-4-8');
    expect(r.params.max_tokens).toBe(200_000);
    expect(r.params.system).toBe(templates.system);
    expect(r.params).not.toHaveProperty('stream');
    expect(r.params).not.toHaveProperty('betas');
    expect(r.params.messages).toHaveLength(1);
    expect(r.params.messages[0]!.role).toBe('user');
  });

  it('the context block is byte-identical across requests and carries cache_control ephemeral 1h', () => {
    expect(packed.length).toBeGreaterThan(1);
    const rs = packed.map((p) => build(p, ['src/existing.ts']));
    const firsts = rs.map((r) => JSON.stringify(blocks(r)[0]));
    expect(new Set(firsts).size).toBe(1);
    expect(new Set(rs.map((r) => JSON.stringify(r.params.system))).size).toBe(1);
    const b = blocks(rs[0]!);
    expect(b).toHaveLength(2);
    expect(b[0]).toEqual({ type: 'text', text: context.text, cache_control: { type: 'ephemeral', ttl: '1h' } });
    expect(b[1]!.cache_control).toBeUndefined();
  });

  it('an empty codebase still gives a non-empty (constant) context block', () => {
    const r = buildRequest(packed[0]!, { context: { text: '' }, templates, model: 'm', maxTokens: 10, existingPaths: new Set() });
    expect(blocks(r)[0]!.text).toBe(EMPTY_CONTEXT_TEXT);
  });

  it('every asked path appears verbatim after the cached block, under `## Files to write`', () => {
    for (const p of packed) {
      const r = build(p, ['src/existing.ts']);
      const text = blocks(r)[1]!.text;
      for (const t of p.tasks) expect(text).toContain(t.path);
      const lines = text.split('\n');
      const at = lines.indexOf('## Files to write');
      expect(at).toBeGreaterThanOrEqual(0);
      const items = lines.slice(at + 1).filter((l) => l.startsWith('- '));
      expect(items).toEqual(fileListLines(p.tasks, new Set(['src/existing.ts'])).split('\n'));
      expect(text).toContain(`(${p.tasks.length} in all)`);
    }
  });

  it('request.md lines: - `PATH` — DESCRIPTION, no dash when empty, rewrite note for existing paths', () => {
    expect(fileListLines(tasks, new Set(['src/existing.ts'])).split('\n')).toEqual([
      '- `src/existing.ts` — Rewrite with a default export (rewrite: the current version is in the codebase above)',
      '- `src/new one.ts`',
      '- ``src/we`ird.ts`` — Path with a backtick',
      '- `docs/guide.md` — A guide over two lines',
    ]);
    expect(fileListLines([task(9, 'a.ts', '')], new Set(['a.ts']))).toBe('- `a.ts` (rewrite: the current version is in the codebase above)');
  });

  it('a file whose last answer was ambiguous gets a note after the file list; the list itself is unchanged', () => {
    const p = packTasks([task(1, 'docs/format.md', 'The reply format'), task(2, 'src/a.ts', 'A')], {
      maxTokens: 1000,
      safetyMargin: 0,
      estimate: () => 1,
    })[0]!;
    const r = buildRequest(p, {
      context,
      templates,
      model: 'm',
      maxTokens: 10,
      existingPaths: new Set(),
      ambiguousBefore: new Set(['docs/format.md']),
    });
    const text = blocks(r)[1]!.text;
    expect(text).toContain(`${fileListLines(p.tasks, new Set())}\n\n${ambiguousNote('docs/format.md')}`);
    expect(ambiguousNote('docs/format.md')).toMatch(
      /^Note on `docs\/format\.md`: your previous answer for this file contained a line that looks like a section marker \(such as `<<<END docs\/format\.md>>>`\)/,
    );
    expect(text.match(/^Note on/gm)).toHaveLength(1);
    // A reader of the list (the emulator's model) still sees exactly the two files.
    expect(filesToWrite(text)?.map((f) => f.path)).toEqual(['docs/format.md', 'src/a.ts']);
    // The note never reads as a marker line, and a custom request.md carries it too ({{files}}).
    expect(text.split('\n').some((l) => l.startsWith('<<<'))).toBe(false);
    const custom = buildRequest(p, {
      context,
      templates: { ...templates, request: 'Files:\n{{files}}\n' },
      model: 'm',
      maxTokens: 10,
      existingPaths: new Set(),
      ambiguousBefore: new Set(['docs/format.md']),
    });
    expect(blocks(custom)[1]!.text).toContain(ambiguousNote('docs/format.md'));
    expect(blocks(build(p))[1]!.text).not.toContain('Note on');
  });

  it('the earlier stages and the plan follow the codebase, each with its own 1h breakpoint; the request last, uncached', () => {
    const options = { context, templates, model: 'claude-opus-4-8', maxTokens: 200_000, existingPaths: new Set<string>() };
    const staged = blocks(buildRequest(packed[0]!, { ...options, earlier: 'EARLIER', plan: 'PLAN' }));
    expect(staged.map((b) => [b.text.split('\n')[0], b.cache_control ?? null])).toEqual([
      ['# Codebase', { type: 'ephemeral', ttl: '1h' }],
      ['EARLIER', { type: 'ephemeral', ttl: '1h' }],
      ['PLAN', { type: 'ephemeral', ttl: '1h' }],
      [expect.stringContaining('Write the files'), null],
    ]);
    const unstaged = blocks(buildRequest(packed[0]!, { ...options, plan: 'PLAN' }));
    expect(unstaged.map((b) => b.cache_control != null)).toEqual([true, true, false]);
    expect(unstaged[0]).toEqual(staged[0]);
  });

  it('a request.md override without the paths is refused', () => {
    const bad = { ...templates, request: 'Write {{count}} files.\n' };
    expect(() => build(packed[0]!, [], bad)).toThrow(/does not show the path/);
  });
});

// The batch split (src/batch/split-batches.ts) is tested here, on requests this file's helpers build.
describe('splitIntoBatches', () => {
  const many = Array.from({ length: 10 }, (_, i) => build({ customId: `r${i}`, tasks: [task(i + 1, `src/f${i}.ts`)], expectedOutputTokens: 1 }));
  const size = (rs: BatchRequest[]) => Buffer.byteLength(JSON.stringify({ requests: rs }));

  it('splits by count, keeping order', () => {
    const batches = splitIntoBatches(many, { maxRequests: 3, maxBytes: 1e9 });
    expect(batches.map((b) => b.length)).toEqual([3, 3, 3, 1]);
    expect(batches.flat().map((r) => r.custom_id)).toEqual(many.map((r) => r.custom_id));
  });

  it('splits by the JSON byte size of the whole create body', () => {
    const one = size([many[0]!]);
    const maxBytes = size(many.slice(0, 3));
    const batches = splitIntoBatches(many, { maxRequests: 100, maxBytes });
    expect(batches.flat().map((r) => r.custom_id)).toEqual(many.map((r) => r.custom_id));
    for (const b of batches) expect(size(b)).toBeLessThanOrEqual(maxBytes);
    expect(batches[0]).toHaveLength(3);
    expect(batches.length).toBe(Math.ceil(10 / 3));
    expect(one).toBeLessThan(maxBytes);
    // One byte less and three no longer fit.
    expect(splitIntoBatches(many, { maxRequests: 100, maxBytes: maxBytes - 1 })[0]).toHaveLength(2);
  });

  it('a single request larger than maxBytes is an error naming it', () => {
    let error: unknown;
    try {
      splitIntoBatches(many, { maxRequests: 100, maxBytes: 100 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).message).toContain('r0');
  });

  it('no requests → no batches', () => {
    expect(splitIntoBatches([], { maxRequests: 1, maxBytes: 1 })).toEqual([]);
  });
});

describe('requestFingerprint', () => {
  const rs = packed.map((p) => build(p));
  it('is a sha256 hex, stable across builds and key order', () => {
    const fp = requestFingerprint(rs);
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(requestFingerprint(packed.map((p) => build(p)))).toBe(fp);
    const reordered = rs.map((r) => ({
      params: { messages: r.params.messages, system: r.params.system, max_tokens: r.params.max_tokens, model: r.params.model },
      custom_id: r.custom_id,
    }));
    expect(requestFingerprint(reordered as BatchRequest[])).toBe(fp);
  });

  it('changes with any byte of the requests and with their order', () => {
    const fp = requestFingerprint(rs);
    expect(requestFingerprint([...rs].reverse())).not.toBe(fp);
    expect(requestFingerprint([{ ...rs[0]!, custom_id: 'other' }, ...rs.slice(1)])).not.toBe(fp);
    expect(requestFingerprint([{ ...rs[0]!, params: { ...rs[0]!.params, max_tokens: 1 } }, ...rs.slice(1)])).not.toBe(fp);
    const ctx = buildRequest(packed[0]!, {
      context: { text: `${context.text} ` },
      templates,
      model: 'claude-opus-4-8',
      maxTokens: 200_000,
      existingPaths: new Set(),
    });
    expect(requestFingerprint([ctx, ...rs.slice(1)])).not.toBe(fp);
  });
});
