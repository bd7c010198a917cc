/** Repair requests (issue 15 item 4): the current content, the diagnostics and the instruction, in the uncached part only. */
import { describe, expect, it } from 'vitest';
import { filesToWrite } from '../../src/emulator/prompt.js';
import { buildRequest, type BatchRequest, type BuildOptions } from '../../src/requests/build.js';
import { packTasks } from '../../src/requests/pack.js';
import { boundDiagnostics, repairNote } from '../../src/requests/repair-note.js';
import { loadTemplates } from '../../src/requests/templates.js';
import type { Task } from '../../src/tasks/task.js';

function task(n: number, path: string, description = `file ${n}`): Task {
  return { id: `t${n}`, status: 'pending', attempts: 0, batch: null, reason: null, path, description, group: 'g', stage: 1, checked: false, line: n };
}

const templates = await loadTemplates();
const base: BuildOptions = {
  context: { text: '# Codebase\n\n<<<FILE src/a.ts>>>\nexport const a: number = "x";\n<<<END src/a.ts>>>\n' },
  templates,
  model: 'claude-opus-4-8',
  maxTokens: 8_000,
  existingPaths: new Set(['src/a.ts']),
  plan: '# The plan\n\n- `src/a.ts` — exports a: number\n- `src/b.ts` — exports b\n',
};
type Block = { type: string; text: string; cache_control?: unknown };
const blocks = (r: BatchRequest): Block[] => r.params.messages[0]!.content as Block[];

const current = 'export const a: number = "x";\n';
const diagnostic = "src/a.ts(1,14): error TS2322: Type 'string' is not assignable to type 'number'.";
const tasks = [task(1, 'src/a.ts', 'exports a: number'), task(2, 'src/b.ts', 'exports b')];
const [packed] = packTasks(tasks, { maxTokens: 100_000, safetyMargin: 0, estimate: () => 10 });

describe('repair requests', () => {
  const plain = buildRequest(packed!, base);
  const repair = buildRequest(packed!, { ...base, repairs: new Map([['src/a.ts', { content: current, diagnostics: [diagnostic] }]]) });

  it('the uncached part holds the current content, the diagnostic lines and the instruction for the file under repair', () => {
    const last = blocks(repair).at(-1)!;
    expect(last.cache_control).toBeUndefined();
    expect(last.text).toContain(repairNote('src/a.ts', { content: current, diagnostics: [diagnostic] }));
    expect(last.text).toContain(diagnostic);
    expect(last.text).toContain(`\`\`\`\n${current}\`\`\``);
    expect(last.text).toMatch(/Fix what these lines of its output report/);
    expect(last.text).toMatch(/without breaking what the plan promises/);
    expect(last.text).not.toMatch(/Repair of `src\/b\.ts`/);
  });

  it('the cached prefix, system prompt and file list are byte for byte those of a request without repairs', () => {
    expect(blocks(repair).slice(0, -1)).toEqual(blocks(plain).slice(0, -1));
    expect(repair.params.system).toBe(plain.params.system);
    expect(repair.custom_id).toBe(plain.custom_id);
    expect(blocks(repair).at(-1)!.text.startsWith(blocks(plain).at(-1)!.text.trimEnd().split('\n\nWrite each')[0]!)).toBe(true);
    // The offline model still reads the same two files to write.
    expect(filesToWrite(blocks(repair).at(-1)!.text)).toEqual(filesToWrite(blocks(plain).at(-1)!.text));
  });

  it('nothing changes for tasks not under repair (an empty map, or repairs of other paths)', () => {
    expect(buildRequest(packed!, { ...base, repairs: new Map() })).toEqual(plain);
    expect(buildRequest(packed!, { ...base, repairs: new Map([['src/other.ts', { content: 'x', diagnostics: ['src/other.ts:1 bad'] }]]) })).toEqual(
      plain,
    );
  });

  it('a file no longer on disk says so; content with backtick runs gets a longer fence', () => {
    expect(repairNote('src/a.ts', { content: null, diagnostics: [diagnostic] })).toContain('(the file is not on disk)');
    const note = repairNote('src/a.ts', { content: 'const s = ```x```;\n', diagnostics: [] });
    expect(note).toContain('````\nconst s = ```x```;\n````');
  });

  it('diagnostics are bounded again: lines cut, at most 50 kept, the rest counted', () => {
    const many = Array.from({ length: 80 }, (_, i) => `src/a.ts:${i + 1}:1 error ${'x'.repeat(i === 0 ? 1_000 : 10)}`);
    const out = boundDiagnostics(many);
    expect(out).toHaveLength(51);
    expect(out[0]!.length).toBeLessThan(420);
    expect(out.at(-1)).toBe('(30 more lines left out)');
    expect(boundDiagnostics(['a\nb'])).toEqual(['a b']);
  });
});
