/**
 * The line-based scanner must read every document exactly as remark does: random documents mixing
 * plain task lines with every construct that could change their meaning (fences, HTML blocks,
 * quotes, nested and lazy lines, tables, definitions, setext headings…).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSource } from '../../src/tasks/parse.js';
import { scanBody } from '../../src/tasks/scan-task-list.js';

const paths = ['`a.ts`', '` `', '`  `', '`src/b.ts`', '`` c`d.ts ``', '` e.ts `', '`f.ts', '``g.ts``', '`h i.ts`', '`<j>.ts`', '`k.ts`x`'];
const rests = [
  '',
  ' — User model',
  ': desc',
  ' - d',
  ' plain',
  ' with `code` inside',
  ' returns Promise<void>',
  ' <b>bold</b>',
  ' <a href="x">link</a>',
  " <a title='y'>",
  ' [link](http://x)',
  ' [ref]',
  ' *emph* and _u_',
  ' www.example.com',
  ' <!-- harness: id=t1 status=done attempts=2 -->',
  ' — d <!-- harness: id=t2 status=submitted attempts=1 batch=msgbatch_1 -->',
  ' x <!-- harness: id=t3 --> tail',
  ' <!-- note -->',
  ' x\\<!-- harness: id=t4 -->',
  ' <!--> <!-- harness: id=t5 -->',
  ' <!DOCTYPE x <!-- harness: id=t6 -->',
  ' <?php <!-- harness: id=t7 -->',
  ' `x <!-- harness: id=t8 reason="`" -->',
  ' d <!-- harness: reason="a -- b" -->',
  ' d <!-- harness: id=t9 --><!-- harness: id=t10 -->',
  ' d  ',
  ' d\t',
  ' d \\',
  ' | pipe | cell |',
  ' &amp; entity',
];
const markers = ['-', '*', '+', '1.', '2)'];
const gaps = [' ', '  ', '    ', '     ', '\t'];
const boxes = ['[ ]', '[x]', '[X]', '[\t]', '[]', '[ x]'];
const afters = [' ', '  ', '\t', ''];
const prefixes = ['', '', '', '', '  ', '   ', '    ', '> ', '>', '\t', '1. '];

const taskLine = fc
  .record({
    prefix: fc.constantFrom(...prefixes),
    marker: fc.constantFrom(...markers),
    gap: fc.constantFrom(...gaps),
    box: fc.constantFrom(...boxes),
    after: fc.constantFrom(...afters),
    path: fc.constantFrom(...paths),
    rest: fc.constantFrom(...rests),
  })
  .map((r) => `${r.prefix}${r.marker}${r.gap}${r.box}${r.after}${r.path}${r.rest}`);
/** Lines the line-based scanner may claim (or nearly). */
const plainTask = fc
  .record({
    marker: fc.constantFrom('-', '-', '*', '+'),
    gap: fc.constantFrom(' ', ' ', '  ', '    '),
    box: fc.constantFrom('[ ]', '[ ]', '[x]', '[X]'),
    after: fc.constantFrom(' ', ' ', '  '),
    path: fc.constantFrom('`a.ts`', '`src/b.ts`', ...paths),
    rest: fc.constantFrom(...rests),
  })
  .map((r) => `${r.marker}${r.gap}${r.box}${r.after}${r.path}${r.rest}`);
const headings = [
  '# Tasks',
  '## Auth ##',
  '### *Em* heading',
  '## C #',
  '## #',
  '# ##  ',
  '## Foo#',
  '##\tTab\t#',
  '## a  b',
  '## ~~struck~~ out',
  '## a \\#',
  '#NoSpace',
  '####### seven',
  '  # indented',
  '#',
  '## x www.y.com',
  '## `code` head',
  '## &amp;',
  'Setext',
  '===',
  '---',
];
const others = [
  'Some prose here',
  'lazy line',
  '  indented prose',
  '    indented code',
  '<div>',
  '</div>',
  '<!--',
  '-->',
  '<!-- a comment -->',
  '```',
  '~~~',
  '```js',
  '> quote',
  '>',
  '| a | b |',
  '|---|---|',
  '***',
  '- plain item',
  '  - nested plain',
  '<script>',
  '</script>',
  '<?php',
  '?>',
  '<![CDATA[',
  ']]>',
  '1. ordered',
  '  continued',
  '\\',
  '* * *',
];
const line = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.constantFrom('[^1]: note', '[a]: /b "t"', '[r]: /u', '[`a.ts`]: /u', '- [ ] [`a.ts`] — linked', '- [ ] [`src/b.ts`][r] — ref'),
  },
  { weight: 5, arbitrary: plainTask },
  { weight: 4, arbitrary: taskLine },
  { weight: 2, arbitrary: fc.constantFrom(...headings) },
  { weight: 3, arbitrary: fc.constantFrom(...others) },
  { weight: 3, arbitrary: fc.constantFrom('', '', '   ', '\t') },
);
/** Line endings per document: LF, CRLF, both mixed, or (rarely) bare CR. */
const eols = fc.constantFrom(['\n'], ['\n'], ['\n'], ['\r\n'], ['\n', '\r\n'], ['\n', '\r']);
const doc = fc
  .tuple(fc.array(fc.tuple(line, fc.nat()), { maxLength: 30 }), eols, fc.boolean(), fc.constantFrom('', '', '', '\uFEFF'))
  .map(([ls, eol, trailing, bom]) => bom + ls.map(([l, e], k) => (k === ls.length - 1 && !trailing ? l : l + eol[e % eol.length]!)).join(''));

const outcome = (f: () => unknown): unknown => {
  try {
    return { ok: JSON.parse(JSON.stringify(f())) };
  } catch (e) {
    const err = e as { message: string; line?: number; code?: string };
    return { error: err.message, line: err.line, code: err.code };
  }
};

describe('the line-based scanner agrees with remark', () => {
  it('on random documents: same items, headings and positions', () => {
    fc.assert(
      fc.property(doc, (text) => {
        const start = text.startsWith('\uFEFF') ? 1 : 0;
        const found = (engine: 'hybrid' | 'remark') => {
          const { items, headings } = scanBody(text, start, 1, engine);
          return { items, headings };
        };
        expect(found('hybrid')).toEqual(found('remark'));
      }),
      { numRuns: Number(process.env.TASKS_FC_RUNS ?? 3000) },
    );
  });

  it('on random documents: same tasks or the same error', () => {
    fc.assert(
      fc.property(doc, (text) => {
        expect(outcome(() => parseSource(text, 'f', 'hybrid').sites)).toEqual(outcome(() => parseSource(text, 'f', 'remark').sites));
      }),
      { numRuns: Number(process.env.TASKS_FC_RUNS ?? 1000) },
    );
  });
});
