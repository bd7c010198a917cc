/** defectResponder: a file answered with a defect until a request quotes its diagnostic (a repair round offline). */
import { describe, expect, it } from 'vitest';
import { defaultDefect, defectResponder, placeholderFile, placeholderResponder, type ResponderRequest } from '../../src/emulator/index.js';
import { splitOutput } from '../../src/output/split.js';
import { MODEL } from './helpers.js';

const ask = (text: string): ResponderRequest => ({
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
  },
  customId: 'r1',
  mode: 'batch',
});

const request = '## Files to write\n\n- `src/a.ts` — exports a\n- `src/b.ts` — exports b\n';
const diagnostic = "src/a.ts(3,14): error TS2322: Type 'string' is not assignable to type 'number'.";
const defect = "export const broken: number = 'defect';";
const files = async (text: string, responder = defectResponder({ path: 'src/a.ts', diagnostic, defect })) =>
  Object.fromEntries(splitOutput(await responder(ask(text)), ['src/a.ts', 'src/b.ts']).files.map((f) => [f.path, f.content]));

describe('defectResponder', () => {
  it('answers the file with the defect line while the request does not quote the diagnostic; other files are the placeholder', async () => {
    const out = await files(request);
    expect(out['src/a.ts']).toBe(`${placeholderFile('src/a.ts', 'exports a')}${defect}\n`);
    expect(out['src/b.ts']).toBe(placeholderFile('src/b.ts', 'exports b'));
  });

  it('answers the clean placeholder once the request quotes the diagnostic (a repair request)', async () => {
    const repair = `${request}\nRepair of \`src/a.ts\`:\n\n\`\`\`\n${diagnostic}\n\`\`\`\n`;
    expect(await defectResponder({ path: 'src/a.ts', diagnostic, defect })(ask(repair))).toBe(await placeholderResponder()(ask(repair)));
  });

  it('several specs, the default defect line, and requests that do not ask for the file are untouched', async () => {
    const both = defectResponder([
      { path: 'src/a.ts', diagnostic },
      { path: 'src/b.ts', diagnostic: 'src/b.ts:1:1 error' },
    ]);
    const out = await files(request, both);
    expect(out['src/a.ts']).toContain(`${defaultDefect('src/a.ts')}\n`);
    expect(out['src/b.ts']).toContain(`${defaultDefect('src/b.ts')}\n`);
    const other = '## Files to write\n\n- `src/c.ts` — exports c\n';
    expect(await both(ask(other))).toBe(await placeholderResponder()(ask(other)));
  });
});
