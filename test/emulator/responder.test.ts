/** The offline model: section answers, placeholder files, truncation, the planner answer, custom responders. */
import Anthropic from '@anthropic-ai/sdk';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { loadResponder, placeholderFile, placeholderResponder, PLACEHOLDER_REPLY, type ResponderRequest } from '../../src/emulator/index.js';
import { splitOutput } from '../../src/output/split.js';
import { fileListLines, requestText } from '../../src/requests/build.js';
import { loadTemplates } from '../../src/requests/templates.js';
import { countTokens as estimateTokens } from '../../src/emulator/token-count.js';
import { parseTaskList } from '../../src/tasks/task-list.js';
import { MODEL, results, start, tempDir, waitEnded } from './helpers.js';

const ask = (text: string, more: Partial<ResponderRequest['params']> = {}): ResponderRequest => ({
  params: {
    model: MODEL,
    max_tokens: 10_000,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'codebase…', cache_control: { type: 'ephemeral', ttl: '1h' } },
          { type: 'text', text },
        ],
      },
    ],
    ...more,
  },
  customId: 'r1',
  mode: 'batch',
});

const respond = async (text: string, options?: { fileTokens?: number }) => placeholderResponder(options)(ask(text));

function syntaxErrors(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, false, file.endsWith('x') ? ts.ScriptKind.TSX : undefined);
  return ((sf as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics ?? []).map((d) =>
    ts.flattenDiagnosticMessageText(d.messageText, '\n'),
  );
}

describe('placeholderFile', () => {
  const desc = 'User entity with a zod schema — "quoted", `code`, */ and <!-- too';
  it.each(['src/models/user.ts', 'src/app.tsx', 'lib/x.js', 'lib/x.mjs', 'lib/x.cjs', 'test/user.test.ts', 'src/a.spec.js'])(
    '%s is valid JS/TS and names the task',
    (file) => {
      const text = placeholderFile(file, desc);
      expect(syntaxErrors(file, text)).toEqual([]);
      expect(text).toContain(file);
      expect(text).toMatch(/placeholder/i);
      expect(text.endsWith('\n') && !text.endsWith('\n\n')).toBe(true);
    },
  );

  it('a test file is a vitest test that imports only vitest and asserts true', () => {
    const text = placeholderFile('test/user.test.ts', 'tests');
    expect(text).toMatch(/^\/\/ Placeholder/);
    expect(text).toContain("import { expect, it } from 'vitest';");
    // One `it` with one assertion, so the placeholder suite runs green until a model writes it.
    expect(text.match(/^\s*it\(/gm)).toHaveLength(1);
    expect(text.match(/\bexpect\(/g)).toHaveLength(1);
    expect(text.match(/^import /gm)).toHaveLength(1);
  });

  it('a TS module exports a stub with a comment naming the task', () => {
    expect(placeholderFile('src/a.ts', 'the A module')).toBe(
      '// Placeholder written offline by the codegen-harness emulator: no model wrote this file.\n' +
        '// Task: src/a.ts — the A module\n' +
        'export const placeholder = { path: "src/a.ts", task: "src/a.ts — the A module" } as const;\n',
    );
  });

  it('JSON is valid JSON; Markdown is a heading; other languages a comment and a minimal module; unknown: one plain line', () => {
    expect(JSON.parse(placeholderFile('config/app.json', desc))).toMatchObject({ placeholder: true, path: 'config/app.json' });
    expect(placeholderFile('docs/guide.md', 'the guide')).toMatch(/^# guide\n\n.*Task: docs\/guide\.md — the guide\n$/s);
    expect(placeholderFile('app/main.py', desc)).toMatch(
      /^# Placeholder[^\n]*\n# Task: [^\n]*\n\nPLACEHOLDER = \{"path": "app\/main\.py", "task": ".*"\}\n$/,
    );
    expect(placeholderFile('cmd/server/main.go', desc)).toMatch(
      /\npackage server\n\n\/\/ Placeholder is the task this file stands for\.\nconst Placeholder = ".*"\n$/,
    );
    expect(placeholderFile('src/lib.rs', desc)).toMatch(/\npub const PLACEHOLDER: &str = ".*";\n$/);
    expect(placeholderFile('src/main/java/App.java', desc)).toMatch(/\npublic final class App \{\n.*\n {4}private App\(\) \{\}\n\}\n$/s);
    expect(placeholderFile('LICENSE', 'MIT')).toBe('Placeholder for LICENSE — MIT\n');
    expect(placeholderFile('data/notes.txt', '')).toBe('Placeholder for data/notes.txt\n');
  });

  it('fileTokens pads deterministically to about that many tokens', () => {
    for (const file of ['src/a.ts', 'a.json', 'a.md', 'a.txt', 'a.py']) {
      const text = placeholderFile(file, 'x', { fileTokens: 2000 });
      expect(text).toBe(placeholderFile(file, 'x', { fileTokens: 2000 }));
      const t = estimateTokens(text);
      expect(t, file).toBeGreaterThanOrEqual(2000);
      expect(t, file).toBeLessThan(2060);
    }
    expect(syntaxErrors('src/a.ts', placeholderFile('src/a.ts', 'x', { fileTokens: 500 }))).toEqual([]);
    expect(() => JSON.parse(placeholderFile('a.json', 'x', { fileTokens: 500 }))).not.toThrow();
  });
});

describe('placeholderResponder', () => {
  it('answers a `## Files to write` request (as the harness builds it) with one section per path, byte-exact', async () => {
    const tasks = [
      { path: 'src/models/user.ts', description: 'User entity with a zod schema' },
      { path: 'src/odd`name.ts', description: 'a path with a backtick' },
      { path: 'README.md', description: '' },
      { path: 'src/app.ts', description: 'the app, rewritten' },
    ];
    const templates = await loadTemplates();
    const text = requestText(tasks, templates, new Set(['src/app.ts']));
    expect(text).toContain(fileListLines(tasks, new Set(['src/app.ts'])));
    const out = await respond(text);
    expect(out.split('\n')[0]).toMatch(/^Placeholder output .* for 4 files\.$/);
    const split = splitOutput(
      out,
      tasks.map((t) => t.path),
    );
    expect(split.files).toEqual(tasks.map((t) => ({ path: t.path, content: placeholderFile(t.path, t.description) })));
    expect(split.incomplete).toEqual([]);
    expect(split.warnings).toEqual([]);
    let expected = out.split('\n')[0] + '\n';
    for (const t of tasks) expected += `<<<FILE ${t.path}>>>\n${placeholderFile(t.path, t.description)}<<<END ${t.path}>>>\n`;
    expect(out).toBe(expected);
  });

  it('parse rule: code spans with any backtick run and CommonMark padding, blank lines skipped, stops at the first other line', async () => {
    const text = [
      'intro',
      '## Files to write',
      '',
      '- ``a`b.ts`` — first',
      '- `` `c.ts` `` — second (rewrite: the current version is in the codebase above)',
      '',
      '- `d.ts`',
      '- `e.ts` —',
      'Write each of them completely.',
      '- `f.ts` — after the list: ignored',
    ].join('\n');
    const out = await respond(text);
    const paths = [...out.matchAll(/^<<<FILE (.*)>>>$/gm)].map((m) => m[1]);
    expect(paths).toEqual(['a`b.ts', '`c.ts`', 'd.ts', 'e.ts']);
    expect(out).toContain(placeholderFile('`c.ts`', 'second'));
    expect(out).toContain(placeholderFile('d.ts', ''));
  });

  it('the last `## Files to write` heading counts (the codebase may contain one too)', async () => {
    const out = await respond('## Files to write\n\n- `old.ts` — from the codebase\n\n## Files to write\n\n- `new.ts` — asked\n');
    expect([...out.matchAll(/^<<<FILE (.*)>>>$/gm)].map((m) => m[1])).toEqual(['new.ts']);
  });

  it('anything else: a placeholder sentence', async () => {
    expect(await respond('Reply with the word: ready')).toBe(PLACEHOLDER_REPLY);
  });

  it('fileTokens makes big files; max_tokens cuts the output mid-file (stop_reason max_tokens, the last section has no END)', async () => {
    const { client } = await start({ processingMs: 0, responder: placeholderResponder({ fileTokens: 400 }) });
    const text = '## Files to write\n\n- `src/a.ts` — A\n- `src/b.ts` — B\n';
    const batch = await client.beta.messages.batches.create({
      requests: [
        { custom_id: 'cut', params: { model: MODEL, max_tokens: 600, messages: [{ role: 'user', content: text }] } },
        { custom_id: 'full', params: { model: MODEL, max_tokens: 2000, messages: [{ role: 'user', content: text }] } },
      ],
    });
    await waitEnded(client, batch.id);
    const lines = await results(client, batch.id);
    const msg = (id: string) => {
      const r = lines.find((l) => l.custom_id === id)!.result;
      if (r.type !== 'succeeded') throw new Error(r.type);
      return r.message;
    };
    const cut = msg('cut');
    expect(cut.stop_reason).toBe('max_tokens');
    expect(cut.usage.output_tokens).toBe(600);
    const cutText = cut.content[0]!.type === 'text' ? cut.content[0]!.text : '';
    const split = splitOutput(cutText, ['src/a.ts', 'src/b.ts']);
    expect(split.files.map((f) => f.path)).toEqual(['src/a.ts']);
    expect(split.incomplete).toEqual(['src/b.ts']);
    const full = msg('full');
    expect(full.stop_reason).toBe('end_turn');
    expect(full.usage.output_tokens).toBeGreaterThan(800);
  });
});

describe('placeholderResponder: the planner prompt', () => {
  const spec = [
    '# Orders service',
    '',
    'Scaffold a small HTTP service on top of `src/app.ts` (node:http, no framework).',
    'Also add `src/health/check.ts` with a /health route, and `docs/API.md`.',
    '',
    '## Entities',
    '',
    '- User: id, email, name; unique email',
    '- Order: id, userId, items (sku, quantity, priceCents), status (open | paid | shipped)',
    '- Line Item: sku, quantity',
    '- Note: not an entity',
    '',
    '```',
    '- Ignored: inside a fence `src/fenced.ts`',
    '```',
    '',
    '## Rules',
    '',
    '- Every entity has a model, a service and routes registered with `route()` from `src/app.ts`.',
  ].join('\n');

  it('a spec with entities gives a valid task list (parseTaskList) with models, services, routes, tests and files', async () => {
    const templates = await loadTemplates();
    const prompt = templates.planner.replace('{{spec}}', spec).replace('{{specFile}}', 'spec.md');
    const out = await placeholderResponder()({
      params: {
        model: MODEL,
        max_tokens: 8000,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: '=== src/app.ts ===\nexport function route() {}\n' },
              { type: 'text', text: prompt },
            ],
          },
        ],
      },
      customId: null,
      mode: 'sync',
    });
    const list = parseTaskList(out);
    expect(out.startsWith('# Tasks\n')).toBe(true);
    const byGroup = (g: string) => list.tasks.filter((t) => t.group === g).map((t) => t.path);
    expect(byGroup('Stage 1: Models')).toEqual(['src/models/user.ts', 'src/models/order.ts', 'src/models/line-item.ts']);
    expect(byGroup('Stage 2: Services')).toEqual([
      'src/services/user.service.ts',
      'src/services/order.service.ts',
      'src/services/line-item.service.ts',
    ]);
    expect(byGroup('Stage 3: Routes')).toEqual(['src/routes/user.routes.ts', 'src/routes/order.routes.ts', 'src/routes/line-item.routes.ts']);
    expect(byGroup('Stage 4: Tests')).toEqual(['test/user.test.ts', 'test/order.test.ts', 'test/line-item.test.ts']);
    expect(byGroup('Files')).toEqual(['src/health/check.ts', 'docs/API.md']);
    const stageOf = (p: string) => list.tasks.find((t) => t.path === p)?.stage;
    expect(
      ['src/models/order.ts', 'src/services/order.service.ts', 'src/routes/order.routes.ts', 'test/order.test.ts', 'docs/API.md'].map(stageOf),
    ).toEqual([1, 2, 3, 4, 4]);
    const desc = (p: string) => list.tasks.find((t) => t.path === p)?.description;
    expect(desc('src/models/user.ts')).toBe(
      "User model (id, email, name; unique email): `type User`; `type NewUser = Omit<User, 'id'>`; `validateUser(input: unknown): NewUser` (throws on a bad field)",
    );
    expect(desc('src/services/line-item.service.ts')).toMatch(
      /^`class LineItemService` \(in memory\): `create\(input: NewLineItem\): LineItem`; `get\(id: string\): LineItem \| undefined`/,
    );
    expect(desc('src/routes/line-item.routes.ts')).toMatch(/^`lineItemRoutes\(service: LineItemService\): void`: POST \/line-items, /);
    expect(desc('test/user.test.ts')).toContain('covering src/models/user.ts');
    expect(list.tasks.every((t) => t.status === 'pending')).toBe(true);
  });

  it('a spec with nothing to derive gives one task, src/index.ts', async () => {
    const out = await respond('## Spec\n\nMake it nice.\n');
    expect(parseTaskList(out).tasks.map((t) => t.path)).toEqual(['src/index.ts']);
  });
});

describe('custom responders', () => {
  it('a function gets params, customId and mode, in batches and sync calls', async () => {
    const seen: { customId: string | null; mode: string; model: string }[] = [];
    const { client } = await start({
      processingMs: 0,
      responder: (req) => {
        seen.push({ customId: req.customId, mode: req.mode, model: req.params.model });
        return `echo ${req.params.messages.length}`;
      },
    });
    const b = await client.beta.messages.batches.create({
      requests: [{ custom_id: 'one', params: { model: MODEL, max_tokens: 10, messages: [{ role: 'user', content: 'x' }] } }],
    });
    await waitEnded(client, b.id);
    const m = await client.messages.create({ model: MODEL, max_tokens: 10, messages: [{ role: 'user', content: 'y' }] });
    expect(m.content[0]).toMatchObject({ text: 'echo 1' });
    expect(seen).toEqual([
      { customId: 'one', mode: 'batch', model: MODEL },
      { customId: null, mode: 'sync', model: MODEL },
    ]);
  });

  it('a responder that throws: an errored api_error result in a batch, a 500 in a sync call', async () => {
    const { client } = await start({
      processingMs: 0,
      responder: () => {
        throw new Error('boom');
      },
    });
    const b = await client.beta.messages.batches.create({
      requests: [{ custom_id: 'one', params: { model: MODEL, max_tokens: 10, messages: [{ role: 'user', content: 'x' }] } }],
    });
    await waitEnded(client, b.id);
    expect((await results(client, b.id))[0]!.result).toMatchObject({
      type: 'errored',
      error: { error: { type: 'api_error', message: expect.stringContaining('boom') } },
    });
    await expect(client.messages.create({ model: MODEL, max_tokens: 10, messages: [{ role: 'user', content: 'y' }] })).rejects.toBeInstanceOf(
      Anthropic.InternalServerError,
    );
  });

  it('loadResponder: a module path (.mjs natively, .ts through jiti) whose default export is the responder', async () => {
    const dir = await tempDir();
    const mjs = path.join(dir, 'r.mjs');
    await writeFile(mjs, 'export default (req) => `mjs ${req.mode}`;\n');
    const tsFile = path.join(dir, 'r.ts');
    await writeFile(tsFile, "const r = (req: { customId: string | null }): string => `ts ${req.customId ?? 'sync'}`;\nexport default r;\n");
    const bad = path.join(dir, 'bad.mjs');
    await writeFile(bad, 'export const x = 1;\n');
    expect(await (await loadResponder(mjs))(ask('x'))).toBe('mjs batch');
    expect(await (await loadResponder(tsFile))(ask('x'))).toBe('ts r1');
    await expect(loadResponder(bad)).rejects.toThrow(/no default export function/);
    await expect(loadResponder(path.join(dir, 'missing.mjs'))).rejects.toThrow(/cannot load the responder module/);
  });
});
