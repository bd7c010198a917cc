import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileListLines } from '../../src/requests/build.js';
import { fillTemplate, loadTemplates, placeholdersOf } from '../../src/requests/templates.js';
import { HarnessError } from '../../src/shared/errors.js';
import { caught } from '../helpers/errors.js';

async function caughtAsync(fn: () => Promise<unknown>): Promise<HarnessError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof HarnessError) return error;
    throw error;
  }
  throw new Error('expected a HarnessError');
}

const tmp = () => mkdtempSync(path.join(tmpdir(), 'harness-templates-'));

describe('fillTemplate', () => {
  it('replaces every named placeholder, repeated ones included', () => {
    expect(fillTemplate('a {{x}} b {{y}} c {{x}}', { x: '1', y: '2' }, 't.md')).toBe('a 1 b 2 c 1');
    expect(fillTemplate('no placeholders', {}, 't.md')).toBe('no placeholders');
  });

  it('leaves single braces and non-placeholders alone', () => {
    expect(fillTemplate('{x} {{ x }} {{1x}} {{x}}', { x: 'v' }, 't.md')).toBe('{x} {{ x }} {{1x}} v');
  });

  it('does not re-expand a value that contains a placeholder', () => {
    expect(fillTemplate('{{a}}|{{b}}', { a: '{{b}}', b: '$& $1 {{a}}' }, 't.md')).toBe('{{b}}|$& $1 {{a}}');
  });

  it('a placeholder with no value is BAD_CONFIG naming the template and the line', () => {
    const e = caught(() => fillTemplate('line one\nline two {{ok}}\nthird {{missing}}\n', { ok: 'x' }, 'request.md'));
    expect(e.code).toBe('BAD_CONFIG');
    expect(e.file).toBe('request.md');
    expect(e.line).toBe(3);
    expect(e.message).toContain('{{missing}}');
    expect(e.exitCode).toBe(2);
  });

  it('does not take inherited properties as values', () => {
    expect(caught(() => fillTemplate('{{constructor}}', {}, 't.md')).code).toBe('BAD_CONFIG');
  });
});

describe('loadTemplates', () => {
  it('built-ins: system.md has no placeholder, request.md has the files heading, planner.md the spec heading', async () => {
    const t = await loadTemplates();
    expect(placeholdersOf(t.system)).toEqual([]);
    expect(t.system).toContain('<<<FILE ');
    expect(t.system).toContain('<<<END ');
    expect(fillTemplate(t.system, {}, 'system.md')).toBe(t.system);

    const lines = fileListLines([{ path: 'src/a.ts', description: 'A' }], new Set());
    const request = fillTemplate(t.request, { files: lines, count: '1' }, 'request.md');
    const rl = request.split('\n');
    const at = rl.indexOf('## Files to write');
    expect(at).toBeGreaterThanOrEqual(0);
    expect(rl.slice(at + 1).find((l) => l.trim() !== '')).toBe('- `src/a.ts` — A');

    const planner = fillTemplate(t.planner, { spec: 'SPEC BODY\n## with a heading', specFile: 'spec.md' }, 'planner.md');
    const pl = planner.split('\n');
    const specAt = pl.indexOf('## Spec');
    expect(specAt).toBeGreaterThanOrEqual(0);
    expect(pl.filter((l) => l === '## Spec')).toHaveLength(1);
    expect(
      pl
        .slice(specAt + 1)
        .join('\n')
        .trim(),
    ).toBe('SPEC BODY\n## with a heading');
    expect(planner).toContain('spec.md');
    expect(planner).not.toContain('## Files to write');
    expect(planner).toContain('- [ ] `');
  });

  it('refine.md uses the same placeholder syntax', async () => {
    const { readFile } = await import('node:fs/promises');
    const refine = await readFile(new URL('../../templates/refine.md', import.meta.url), 'utf8');
    const names = [...new Set(placeholdersOf(refine).map((p) => p.name))];
    expect(names).toEqual(expect.arrayContaining(['message', 'current']));
    const vars = Object.fromEntries(names.map((n) => [n, n === 'message' ? 'do {{it}}' : `<${n}>`]));
    const out = fillTemplate(refine, vars, 'refine.md');
    expect(out).toContain('do {{it}}');
    expect(placeholdersOf(out.replace('do {{it}}', ''))).toEqual([]);
  });

  it('a file in the override directory replaces only that template', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'system.md'), 'Custom system prompt.\n');
    const builtin = await loadTemplates();
    const t = await loadTemplates(dir);
    expect(t.system).toBe('Custom system prompt.\n');
    expect(t.request).toBe(builtin.request);
    expect(t.planner).toBe(builtin.planner);
  });

  it('a missing override directory is BAD_CONFIG', async () => {
    const e = await caughtAsync(() => loadTemplates(path.join(tmp(), 'nope')));
    expect(e.code).toBe('BAD_CONFIG');
    expect(e.message).toContain('nope');
  });

  it('an override with a placeholder in system.md, an unknown one, or without {{files}} is BAD_CONFIG with the file', async () => {
    const dir1 = tmp();
    writeFileSync(path.join(dir1, 'system.md'), 'hello\n{{files}}\n');
    const e1 = await caughtAsync(() => loadTemplates(dir1));
    expect(e1.code).toBe('BAD_CONFIG');
    expect(e1.file).toBe(path.join(dir1, 'system.md'));
    expect(e1.line).toBe(2);

    const dir2 = tmp();
    writeFileSync(path.join(dir2, 'request.md'), '## Files to write\n\n{{files}}\n{{nope}}\n');
    const e2 = await caughtAsync(() => loadTemplates(dir2));
    expect(e2.file).toBe(path.join(dir2, 'request.md'));
    expect(e2.line).toBe(4);

    const dir3 = tmp();
    writeFileSync(path.join(dir3, 'request.md'), 'Write {{count}} files.\n');
    const e3 = await caughtAsync(() => loadTemplates(dir3));
    expect(e3.code).toBe('BAD_CONFIG');
    expect(e3.message).toContain('{{files}}');
  });
});
