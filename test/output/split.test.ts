import { describe, expect, it } from 'vitest';
import { OUTSIDE_TEXT_LIMIT, SectionSplitter, splitOutput, type SplitResult } from '../../src/output/split.js';

const section = (path: string, body: string): string => `<<<FILE ${path}>>>\n${body}<<<END ${path}>>>\n`;
const contents = (r: SplitResult): Record<string, string> => Object.fromEntries(r.files.map((f) => [f.path, f.content]));

describe('splitOutput: markers', () => {
  it('splits sections for asked paths, in output order', () => {
    const r = splitOutput(section('src/b.ts', 'b\n') + section('src/a.ts', 'a\n'), ['src/a.ts', 'src/b.ts']);
    expect(r.files).toEqual([
      { path: 'src/b.ts', content: 'b\n' },
      { path: 'src/a.ts', content: 'a\n' },
    ]);
    expect(r).toMatchObject({ incomplete: [], missing: [], unrequested: [], warnings: [], outsideText: '' });
  });

  it('counts markers only as whole lines', () => {
    const body = 'x <<<END a.ts>>>\n<<<END a.ts>>> y\n// <<<FILE b.ts>>>\n';
    const r = splitOutput(section('a.ts', body), ['a.ts', 'b.ts']);
    expect(contents(r)).toEqual({ 'a.ts': body });
    expect(r.missing).toEqual(['b.ts']);
    expect(r.warnings).toEqual([]);
  });

  it('ignores trailing spaces, tabs and CR on marker lines', () => {
    const r = splitOutput('<<<FILE a.ts>>> \t\r\nA\n<<<END a.ts>>>\t \r\n<<<FILE b.ts>>>\r\nB\n<<<END b.ts>>>   ', ['a.ts', 'b.ts']);
    expect(contents(r)).toEqual({ 'a.ts': 'A\n', 'b.ts': 'B\n' });
    expect(r.incomplete).toEqual([]);
  });

  it('treats a marker with leading whitespace as content', () => {
    const r = splitOutput('<<<FILE a.ts>>>\n  <<<END a.ts>>>\n\t<<<FILE b.ts>>>\nx\n<<<END a.ts>>>\n', ['a.ts', 'b.ts']);
    expect(contents(r)).toEqual({ 'a.ts': '  <<<END a.ts>>>\n\t<<<FILE b.ts>>>\nx\n' });
    expect(r.missing).toEqual(['b.ts']);
    const outside = splitOutput(' <<<FILE a.ts>>>\nx\n<<<END a.ts>>>\n', ['a.ts']);
    expect(outside.files).toEqual([]);
    expect(outside.missing).toEqual(['a.ts']);
  });

  it('trims the path text and matches ./ prefixed paths to the asked path', () => {
    const r = splitOutput('<<<FILE   ./src/a.ts  >>>\nA\n<<<END src/a.ts>>>\n<<<FILE b.ts>>>\nB\n<<<END ./b.ts>>>\n', ['src/a.ts', 'b.ts']);
    expect(r.files).toEqual([
      { path: 'src/a.ts', content: 'A\n' },
      { path: 'b.ts', content: 'B\n' },
    ]);
  });

  it('does not take malformed markers for markers', () => {
    const body = '<<<FILE>>>\n<<<FILE >>>\n<<<FILEa.ts>>>\n<<<file b.ts>>>\n<<<END a.ts>>\n<<END a.ts>>>\n';
    expect(contents(splitOutput(section('a.ts', body), ['a.ts', 'b.ts']))).toEqual({ 'a.ts': body });
  });
});

describe('splitOutput: fences', () => {
  it('removes one fence wrapping the whole body, with an info string', () => {
    expect(contents(splitOutput(section('a.ts', '```ts\nconst a = 1;\n```\n'), ['a.ts']))).toEqual({ 'a.ts': 'const a = 1;\n' });
    expect(contents(splitOutput(section('a.ts', '```typescript title="a.ts"\nx\n```\n'), ['a.ts']))).toEqual({ 'a.ts': 'x\n' });
  });

  it('removes a tilde fence, and a longer closing fence of the same character', () => {
    expect(contents(splitOutput(section('a.md', '~~~markdown\n```js\nx\n```\n~~~~\n'), ['a.md']))).toEqual({ 'a.md': '```js\nx\n```\n' });
    expect(contents(splitOutput(section('a.md', '````md\n```js\nx\n```\n````\n'), ['a.md']))).toEqual({ 'a.md': '```js\nx\n```\n' });
  });

  it('removes only the outer fence of a doubly fenced body', () => {
    expect(contents(splitOutput(section('a.ts', '```\n```ts\nx\n```\n```\n'), ['a.ts']))).toEqual({ 'a.ts': '```ts\nx\n```\n' });
  });

  it('allows blank lines around the wrapping fence', () => {
    expect(contents(splitOutput(section('a.ts', '\n```ts\nx\n```\n\n'), ['a.ts']))).toEqual({ 'a.ts': 'x\n' });
  });

  it('keeps fences that do not wrap the whole body', () => {
    const middle = 'a\n```\nb\n```\n';
    expect(contents(splitOutput(section('a.md', middle), ['a.md']))).toEqual({ 'a.md': middle });
    const openOnly = '```ts\nx\n';
    expect(contents(splitOutput(section('a.md', openOnly), ['a.md']))).toEqual({ 'a.md': openOnly });
    const trailing = '```ts\nx\n```\ny\n';
    expect(contents(splitOutput(section('a.md', trailing), ['a.md']))).toEqual({ 'a.md': trailing });
  });

  it('keeps mismatched fences: other character, shorter closer, closer with an info string, backticks in the info', () => {
    for (const body of ['```\nx\n~~~\n', '````\nx\n```\n', '```\nx\n```ts\n', '``` a`b\nx\n```\n', '``\nx\n``\n', ' ```\nx\n```\n']) {
      expect(contents(splitOutput(section('a.md', body), ['a.md']))).toEqual({ 'a.md': body });
    }
  });
});

describe('splitOutput: content bytes and final newline', () => {
  it('writes every other byte as is', () => {
    const body = '  indented\t\n\ttabs  \nunicode: é 🙂\n\u0000nul\n\n\nmiddle blank lines\n';
    expect(contents(splitOutput(section('a.txt', body), ['a.txt']))).toEqual({ 'a.txt': body });
  });

  it('ends the file with exactly one newline, dropping trailing blank lines', () => {
    expect(contents(splitOutput(section('a.ts', 'x\n\n\n'), ['a.ts']))).toEqual({ 'a.ts': 'x\n' });
    expect(contents(splitOutput(section('a.ts', '```\nx\n\n```\n'), ['a.ts']))).toEqual({ 'a.ts': 'x\n' });
    expect(contents(splitOutput(section('a.ts', 'x  \n'), ['a.ts']))).toEqual({ 'a.ts': 'x  \n' });
  });

  it('gives an empty file for an empty body, a body of blank lines or an empty fence', () => {
    for (const body of ['', '\n', '\n\n\r\n', '```\n```\n', '```ts\n\n```\n']) {
      expect(contents(splitOutput(section('a.ts', body), ['a.ts']))).toEqual({ 'a.ts': '' });
    }
  });

  it('keeps CRLF line ends of the body (a CRLF reply gives a CRLF file)', () => {
    const text = 'Intro\r\n<<<FILE a.ts>>>\r\n```ts\r\nline 1\r\nline 2\r\n```\r\n\r\n<<<END a.ts>>>\r\nBye\r\n';
    const r = splitOutput(text, ['a.ts']);
    expect(contents(r)).toEqual({ 'a.ts': 'line 1\r\nline 2\r\n' });
    expect(r.outsideText).toBe('Intro\r\nBye');
    expect(contents(splitOutput('<<<FILE a.ts>>>\r\nx\r\n\r\n\r\n<<<END a.ts>>>\r\n', ['a.ts']))).toEqual({ 'a.ts': 'x\r\n' });
  });
});

describe('splitOutput: sections that go wrong', () => {
  it('reports a section open at the end as incomplete and keeps the sections before it', () => {
    const r = splitOutput(section('a.ts', 'a\n') + '<<<FILE b.ts>>>\nconst b = ', ['a.ts', 'b.ts', 'c.ts']);
    expect(contents(r)).toEqual({ 'a.ts': 'a\n' });
    expect(r.incomplete).toEqual(['b.ts']);
    expect(r.missing).toEqual(['c.ts']);
  });

  it('closes the open section, with a warning, at a FILE marker of another asked path', () => {
    const r = splitOutput('<<<FILE src/a.ts>>>\na\n<<<FILE src/b.ts>>>\nb\n<<<END src/b.ts>>>\n', ['src/a.ts', 'src/b.ts']);
    expect(contents(r)).toEqual({ 'src/a.ts': 'a\n', 'src/b.ts': 'b\n' });
    expect(r.warnings).toEqual(['FILE src/b.ts opened while src/a.ts was open: src/a.ts closed']);
    expect(r.incomplete).toEqual([]);
  });

  it('keeps a FILE marker of an unasked path, or of the open path, inside a section as content', () => {
    const body = '<<<FILE other.ts>>>\nx\n<<<FILE a.ts>>>\n';
    const r = splitOutput(section('a.ts', body), ['a.ts']);
    expect(contents(r)).toEqual({ 'a.ts': body });
    expect(r.unrequested).toEqual([]);
    expect(r.warnings).toEqual([]);
  });

  it('keeps an END marker of another path inside a section as content', () => {
    const body = '<<<END b.ts>>>\n<<<END other.ts>>>\n';
    expect(contents(splitOutput(section('a.ts', body) + section('b.ts', 'b\n'), ['a.ts', 'b.ts']))).toEqual({ 'a.ts': body, 'b.ts': 'b\n' });
  });

  it('does not return sections for unasked paths and reports them once', () => {
    const text = section('evil.sh', 'rm -rf /\n<<<FILE x>>>\n') + section('a.ts', 'a\n') + section('evil.sh', 'again\n') + section('../up.ts', 'u\n');
    const r = splitOutput(text, ['a.ts']);
    expect(r.files).toEqual([{ path: 'a.ts', content: 'a\n' }]);
    expect(r.unrequested).toEqual(['evil.sh', '../up.ts']);
    expect(r.outsideText).toBe('');
  });

  it('closes an unasked section at a FILE marker of an asked path', () => {
    const r = splitOutput('<<<FILE notes.md>>>\nn\n<<<FILE a.ts>>>\na\n<<<END a.ts>>>\n', ['a.ts']);
    expect(contents(r)).toEqual({ 'a.ts': 'a\n' });
    expect(r.unrequested).toEqual(['notes.md']);
    expect(r.warnings).toEqual(['FILE a.ts opened while notes.md was open: notes.md closed']);
  });

  it('an unasked section left open swallows the rest, but reports nothing incomplete', () => {
    const r = splitOutput('<<<FILE notes.md>>>\nn\n', ['a.ts']);
    expect(r).toMatchObject({ files: [], incomplete: [], missing: ['a.ts'], unrequested: ['notes.md'] });
  });

  it('uses the last complete section of a duplicated path, with a warning', () => {
    const r = splitOutput(section('a.ts', 'first\n') + section('b.ts', 'b\n') + section('a.ts', 'second\n'), ['a.ts', 'b.ts']);
    expect(r.files).toEqual([
      { path: 'b.ts', content: 'b\n' },
      { path: 'a.ts', content: 'second\n' },
    ]);
    expect(r.warnings).toEqual(['duplicate section for a.ts: the later one replaces the earlier one']);
  });

  it('keeps an earlier complete section when a later one for the same path is cut off', () => {
    const r = splitOutput(section('a.ts', 'first\n') + '<<<FILE a.ts>>>\nsec', ['a.ts']);
    expect(contents(r)).toEqual({ 'a.ts': 'first\n' });
    expect(r.incomplete).toEqual([]);
    expect(r.warnings).toEqual(['section for a.ts not closed: the earlier complete section is kept']);
  });

  it('reports asked paths with no section as missing, in asked order', () => {
    const r = splitOutput(section('b.ts', 'b\n'), ['c.ts', 'b.ts', 'a.ts']);
    expect(r.missing).toEqual(['c.ts', 'a.ts']);
  });

  it('warns about an END marker outside any section and keeps it in the outside text', () => {
    const r = splitOutput('<<<END a.ts>>>\n' + section('a.ts', 'a\n'), ['a.ts']);
    expect(contents(r)).toEqual({ 'a.ts': 'a\n' });
    expect(r.warnings).toEqual(['END a.ts outside any section: ignored']);
    expect(r.outsideText).toBe('<<<END a.ts>>>');
  });

  it('handles an empty output', () => {
    expect(splitOutput('', ['a.ts', 'b.ts'])).toEqual({
      files: [],
      incomplete: [],
      missing: ['a.ts', 'b.ts'],
      ambiguous: [],
      unrequested: [],
      warnings: [],
      outsideText: '',
    });
    expect(splitOutput('', [])).toEqual({ files: [], incomplete: [], missing: [], ambiguous: [], unrequested: [], warnings: [], outsideText: '' });
  });
});

describe('splitOutput: sections whose content shows the section format (ambiguous)', () => {
  // docs/format.md documents the reply format: its content holds marker lines of its own.
  const doc = [
    '# The reply format',
    'Each file is written as',
    '<<<FILE src/a.ts>>>',
    'content',
    '<<<END docs/format.md>>>',
    'and the rest of the docs.',
  ];

  it('a stray END for the path whose section has just closed: the section is ambiguous, not a file', () => {
    const text = ['<<<FILE docs/format.md>>>', 'Intro', '<<<END docs/format.md>>>', 'more docs', '<<<END docs/format.md>>>', ''].join('\n');
    const r = splitOutput(text, ['docs/format.md']);
    expect(r.files).toEqual([]);
    expect(r.ambiguous).toEqual(['docs/format.md']);
    expect(r).toMatchObject({ incomplete: [], missing: [] });
    expect(r.warnings).toEqual([
      'END docs/format.md after its section had closed: the content of docs/format.md shows the section format, so where it ends is ambiguous; not written',
    ]);
  });

  it('keeps the other sections of the reply, before and after', () => {
    const text =
      section('src/b.ts', 'b\n') +
      '<<<FILE docs/format.md>>>\nx\n<<<END docs/format.md>>>\ny\n<<<END docs/format.md>>>\n' +
      section('src/c.ts', 'c\n');
    const r = splitOutput(text, ['src/b.ts', 'docs/format.md', 'src/c.ts']);
    expect(contents(r)).toEqual({ 'src/b.ts': 'b\n', 'src/c.ts': 'c\n' });
    expect(r.ambiguous).toEqual(['docs/format.md']);
  });

  it('a FILE marker of an asked path inside the content: that section and the one it opened are both ambiguous', () => {
    const text = ['<<<FILE docs/format.md>>>', ...doc, '<<<END docs/format.md>>>', ...section('src/a.ts', 'export const a = 1;\n').split('\n')].join(
      '\n',
    );
    const r = splitOutput(text, ['docs/format.md', 'src/a.ts']);
    // The FILE marker in the doc closed it and opened src/a.ts; the doc's END inside that section
    // shows the marker was the doc's content: both ambiguous, until src/a.ts comes in a section of
    // its own, which replaces its ambiguous one.
    expect(contents(r)).toEqual({ 'src/a.ts': 'export const a = 1;\n' });
    expect(r.ambiguous).toEqual(['docs/format.md']);
    expect(r.warnings).toContain('duplicate section for src/a.ts: the later one replaces the earlier, ambiguous one');
  });

  it('an END inside the section that a FILE marker of the content opened: that section is dropped, both are ambiguous', () => {
    const text = ['<<<FILE docs/format.md>>>', 'Write', '<<<FILE src/a.ts>>>', 'then its content, then', '<<<END docs/format.md>>>', 'bye'].join(
      '\n',
    );
    const r = splitOutput(text, ['docs/format.md', 'src/a.ts']);
    expect(r.files).toEqual([]);
    expect(r.ambiguous).toEqual(['docs/format.md', 'src/a.ts']);
    expect(r).toMatchObject({ incomplete: [], missing: [] });
    expect(r.outsideText).toBe('<<<END docs/format.md>>>\nbye');
    expect(r.warnings.at(-1)).toBe(
      "END docs/format.md inside the section of src/a.ts, after docs/format.md's section had closed: the content of docs/format.md shows the section format, so where it ends is ambiguous; not written",
    );
  });

  it('every asked section that closed after the ambiguous one is ambiguous too (it may be an example inside it)', () => {
    const text =
      section('src/z.ts', 'z\n') +
      '<<<FILE docs/format.md>>>\nx\n<<<END docs/format.md>>>\n' +
      section('src/a.ts', 'example\n') +
      'rest of the docs\n<<<END docs/format.md>>>\n';
    const r = splitOutput(text, ['src/z.ts', 'docs/format.md', 'src/a.ts']);
    expect(contents(r)).toEqual({ 'src/z.ts': 'z\n' });
    expect(r.ambiguous).toEqual(['docs/format.md', 'src/a.ts']);
    expect(r.warnings.at(-1)).toMatch(/not written \(nor src\/a\.ts, whose section came after it\)$/);
  });

  it('an END line of an already closed path inside another section: both ambiguous (that file shows the format too)', () => {
    // src/a.ts's content may have gone on to here, or the test shows the format: either way, neither is sure.
    const body = 'const reply = `\n<<<END src/a.ts>>>\n`;\n';
    const r = splitOutput(section('src/a.ts', 'a\n') + section('test/a.test.ts', body) + section('src/c.ts', 'c\n'), [
      'src/a.ts',
      'test/a.test.ts',
      'src/c.ts',
    ]);
    expect(contents(r)).toEqual({ 'src/c.ts': 'c\n' });
    expect(r.ambiguous).toEqual(['src/a.ts', 'test/a.test.ts']);
    // The same line before src/a.ts has a section is content, as any END of another path is.
    const before = splitOutput(section('test/a.test.ts', body) + section('src/a.ts', 'a\n'), ['src/a.ts', 'test/a.test.ts']);
    expect(contents(before)).toEqual({ 'test/a.test.ts': body, 'src/a.ts': 'a\n' });
    expect(before.ambiguous).toEqual([]);
  });

  it('an own END line followed by a FILE marker of another asked path: the END of the file inside that section makes both ambiguous', () => {
    const text = [
      '<<<FILE docs/format.md>>>',
      'Example:',
      '<<<END docs/format.md>>>',
      '<<<FILE src/a.ts>>>',
      'x',
      '<<<END docs/format.md>>>',
      '',
    ].join('\n');
    const r = splitOutput(text, ['docs/format.md', 'src/a.ts']);
    expect(r.files).toEqual([]);
    expect(r.ambiguous).toEqual(['docs/format.md', 'src/a.ts']);
  });

  it('a stray END for a path with no complete section is ignored with a warning, as before', () => {
    const r = splitOutput('<<<END a.ts>>>\n<<<FILE a.ts>>>\ncut', ['a.ts']);
    expect(r).toMatchObject({ files: [], incomplete: ['a.ts'], ambiguous: [], warnings: ['END a.ts outside any section: ignored'] });
  });

  it('an ambiguous path left open at the end stays ambiguous, not incomplete', () => {
    const r = splitOutput('<<<FILE a.ts>>>\nx\n<<<END a.ts>>>\n<<<END a.ts>>>\n<<<FILE a.ts>>>\ncut', ['a.ts']);
    expect(r).toMatchObject({ files: [], incomplete: [], ambiguous: ['a.ts'] });
    expect(r.warnings.at(-1)).toBe('section for a.ts not closed: a.ts stays ambiguous');
  });

  it('gives the same result fed in pieces', () => {
    const text = ['<<<FILE docs/format.md>>>', ...doc, '<<<END docs/format.md>>>', 'after'].join('\r\n');
    const asked = ['docs/format.md', 'src/a.ts'];
    const whole = splitOutput(text, asked);
    for (let size = 1; size <= 9; size++) {
      const s = new SectionSplitter(asked);
      for (let i = 0; i < text.length; i += size) s.push(text.slice(i, i + size));
      expect(s.end()).toEqual(whole);
    }
  });
});

describe('splitOutput: outside text', () => {
  it('keeps text outside sections, trimmed, with runs of blank lines collapsed', () => {
    const text = '\n\nHere are the files:\n\n' + section('a.ts', 'a\n') + '\n\n\n' + section('b.ts', 'b\n') + '\n  \nDone.  \n\n';
    expect(splitOutput(text, ['a.ts', 'b.ts']).outsideText).toBe('Here are the files:\n\nDone.');
  });

  it('keeps at most OUTSIDE_TEXT_LIMIT characters and says how many were left out', () => {
    const r = splitOutput('x'.repeat(OUTSIDE_TEXT_LIMIT + 10) + '\n' + section('a.ts', 'a\n'), ['a.ts']);
    expect(r.outsideText).toBe('x'.repeat(OUTSIDE_TEXT_LIMIT) + '\n[… 11 more characters outside sections not kept]');
    expect(contents(r)).toEqual({ 'a.ts': 'a\n' });
  });
});

describe('SectionSplitter', () => {
  it('gives the same result for a text fed in pieces that cut lines, CRLFs and markers', () => {
    const text = 'hi\r\n<<<FILE a.ts>>>\r\n```ts\r\nA\r\n```\r\n<<<END a.ts>>>\r\n<<<FILE b.ts>>>\nB\n<<<FILE c.ts>>>\nC';
    const asked = ['a.ts', 'b.ts', 'c.ts'];
    const whole = splitOutput(text, asked);
    for (let size = 1; size <= 7; size++) {
      const s = new SectionSplitter(asked);
      for (let i = 0; i < text.length; i += size) s.push(text.slice(i, i + size));
      expect(s.end()).toEqual(whole);
    }
    expect(whole.incomplete).toEqual(['c.ts']);
  });

  it('refuses to be used after end()', () => {
    const s = new SectionSplitter([]);
    s.end();
    expect(() => s.push('x')).toThrow(/after end/);
    expect(() => s.end()).toThrow(/twice/);
  });

  it('splits a 2 MB output quickly', () => {
    const asked = Array.from({ length: 200 }, (_, i) => `src/f${i}.ts`);
    const body = Array.from({ length: 120 }, (_, i) => `export const v${i} = ${'"x".repeat(20)'}; // ${'-'.repeat(60)}`).join('\n') + '\n';
    const text = asked.map((p) => section(p, '```ts\n' + body + '```\n')).join('\n');
    expect(text.length).toBeGreaterThan(2_000_000);
    const started = performance.now();
    const r = splitOutput(text, asked);
    const s = new SectionSplitter(asked);
    for (let i = 0; i < text.length; i += 4096) s.push(text.slice(i, i + 4096));
    expect(s.end()).toEqual(r);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(r.files).toHaveLength(200);
    expect(r.files.every((f) => f.content === body)).toBe(true);
  });

  it('stays linear on pathological lines (one 2 MB line of spaces after a marker prefix)', () => {
    const started = performance.now();
    const r = splitOutput('<<<FILE a.ts>>>\n<<<FILE ' + ' '.repeat(2_000_000) + 'x\n```' + ' '.repeat(1_000_000) + '\n<<<END a.ts>>>\n', ['a.ts']);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(r.files).toHaveLength(1);
  });
});
