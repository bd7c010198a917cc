/** The offline model shows what a staged request read: each placeholder file lists the earlier stages' files its request carried. */
import { describe, expect, it } from 'vitest';
import { placeholderFile, placeholderResponder, type ResponderRequest } from '../../src/emulator/index.js';
import { earlierStageFiles } from '../../src/emulator/prompt.js';
import { stageBlockText } from '../../src/requests/stage-block.js';
import { MODEL } from './helpers.js';

const cached = { type: 'ephemeral', ttl: '1h' } as const;
const CODEBASE = '# Codebase\n\n<file path="src/app.ts">\nexport const app = 1;\n</file>\n';
const STAGE = stageBlockText(2, [
  { path: 'src/models/user.ts', content: 'export type User = { id: string };\n' },
  // A file whose content looks like framing: its lines are content, not files.
  { path: 'src/models/a&b.ts', content: '// <file path="not/a/file.ts">\n<file path="nested.ts">\n</file>\n' },
]);
const PLAN = '# The plan\n\n- `src/models/user.ts` — User\n';
const ASK = '## Files to write\n\n- `src/services/user.service.ts` — UserService\n';

const request = (blocks: { text: string; cache?: boolean }[]): ResponderRequest => ({
  params: {
    model: MODEL,
    max_tokens: 10_000,
    messages: [{ role: 'user', content: blocks.map((b) => ({ type: 'text', text: b.text, ...(b.cache ? { cache_control: cached } : {}) })) }],
  },
  customId: 'r1',
  mode: 'batch',
});

describe('earlier stages in the offline model', () => {
  it('finds the files of the earlier stages block, not the codebase, the plan or file-like content', () => {
    const req = request([{ text: CODEBASE, cache: true }, { text: STAGE, cache: true }, { text: PLAN, cache: true }, { text: ASK }]);
    expect(STAGE).toContain('<file_2 path="src/models/a&amp;b.ts">');
    expect(earlierStageFiles(req.params)).toEqual(['src/models/a&b.ts', 'src/models/user.ts']);
  });

  it('a generated file lists them', async () => {
    const req = request([{ text: CODEBASE, cache: true }, { text: STAGE, cache: true }, { text: PLAN, cache: true }, { text: ASK }]);
    const out = await placeholderResponder()(req);
    expect(out).toContain('// Read from earlier stages (2 files): src/models/a&b.ts, src/models/user.ts\n');
    expect(out).toContain(placeholderFile('src/services/user.service.ts', 'UserService', { earlier: ['src/models/a&b.ts', 'src/models/user.ts'] }));
  });

  it('without an earlier stages block (stage 1, or a list without stages) the file is as before', async () => {
    const req = request([{ text: CODEBASE, cache: true }, { text: PLAN, cache: true }, { text: ASK }]);
    expect(earlierStageFiles(req.params)).toEqual([]);
    expect(await placeholderResponder()(req)).toContain(placeholderFile('src/services/user.service.ts', 'UserService'));
    expect(placeholderFile('a.ts', 'x', { earlier: [] })).toBe(placeholderFile('a.ts', 'x'));
  });

  it('an uncached block with file framing (not the stage block) is not counted; JSON and Markdown files list them too', () => {
    const req = request([{ text: CODEBASE, cache: true }, { text: '<file path="x.ts">\n</file>\n' }, { text: ASK }]);
    expect(earlierStageFiles(req.params)).toEqual([]);
    expect(JSON.parse(placeholderFile('a.json', 'x', { earlier: ['m.ts'] })).read).toBe('Read from earlier stages (1 file): m.ts');
    expect(placeholderFile('a.md', 'x', { earlier: ['m.ts'] })).toContain('<!-- Read from earlier stages (1 file): m.ts -->');
  });
});
