import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SectionSplitter, splitOutput } from '../../src/output/split.js';

const PATHS = ['a.ts', 'src/b.ts', 'docs/c.md', 'x.ts'];

/** Text made of characters that matter to the splitter. */
const noisy = fc.string({ unit: fc.constantFrom('a', 'z', ' ', '\t', '\r', '<', '>', '`', '~', '/', '.', 'é', '🙂'), maxLength: 12 });

/** A content line that is no marker (nothing starting like one). */
const contentLine = fc
  .oneof(noisy, fc.constantFrom('```', '```ts', '~~~', '', ' <<<FILE a.ts>>>', '<<<END>>>', '// <<<END a.ts>>>'))
  .filter((l) => !/^<<<(FILE|END)[ \t]/.test(l));

const withFinalBreak = (content: string): string => (content === '' || content.endsWith('\n') ? content : content + '\n');

/**
 * The file's content as the splitter must give it back: a section body always ends in a line
 * break; trailing breaks collapse to the first of them; nothing but breaks gives "".
 */
function normalised(content: string): string {
  const body = withFinalBreak(content);
  const trimmed = body.replace(/(?:\r?\n)+$/, '');
  if (trimmed === '') return '';
  return trimmed + (body.slice(trimmed.length).startsWith('\r\n') ? '\r\n' : '\n');
}

/** True when the content itself opens with a fence after blank lines (the splitter would take it for a wrapper). */
const startsWithFence = (content: string): boolean => /^(?:[ \t\r]*\n)*(```|~~~)/.test(content);

const render = (path: string, content: string): string => `<<<FILE ${path}>>>\n${withFinalBreak(content)}<<<END ${path}>>>\n`;

const markerLine = fc
  .record({
    kind: fc.constantFrom('FILE', 'END'),
    path: fc.constantFrom(...PATHS, './a.ts', ' src/b.ts ', 'unasked.ts', '../up.ts'),
    lead: fc.constantFrom('', '', '', ' '),
    trail: fc.constantFrom('', '', ' ', '\t', '\r', ' \r'),
  })
  .map(({ kind, path, lead, trail }) => `${lead}<<<${kind} ${path}>>>${trail}`);

/** Replies built from marker lines, fences, CRs and random lines, with LF or CRLF line ends. */
const reply = fc
  .tuple(
    fc.array(
      fc.tuple(
        fc.oneof(
          { weight: 2, arbitrary: markerLine },
          { weight: 1, arbitrary: fc.constantFrom('```', '```ts', '~~~', '', '\r') },
          { weight: 2, arbitrary: noisy },
        ),
        fc.constantFrom('\n', '\r\n'),
      ),
      { maxLength: 40 },
    ),
    fc.double({ min: 0, max: 1, noNaN: true }),
  )
  .map(([lines, keep]) => {
    const text = lines.map(([l, eol]) => l + eol).join('');
    return text.slice(0, Math.ceil(text.length * keep)); // often cut mid-line, as a truncated reply is
  });

const askedSubset = fc.subarray(PATHS);

describe('splitOutput properties', () => {
  it('gives back any contents without marker lines, normalised to one final line break', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9_/.-]{0,15}$/), { minLength: 1, maxLength: 5 }),
        fc.array(fc.array(fc.tuple(contentLine, fc.constantFrom('\n', '\r\n')), { maxLength: 8 }), { minLength: 5, maxLength: 5 }),
        fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
        (paths, bodies, dropLastBreak) => {
          const contents = paths.map((_, i) => {
            const c = bodies[i]!.map(([l, eol]) => l + eol).join('');
            return dropLastBreak[i] ? c.replace(/\r?\n$/, '') : c;
          });
          fc.pre(!contents.some(startsWithFence));
          const text = 'Sure:\n\n' + paths.map((p, i) => render(p, contents[i]!)).join('\n') + '\nDone.';
          const r = splitOutput(text, paths);
          expect(r.files).toEqual(paths.map((p, i) => ({ path: p, content: normalised(contents[i]!) })));
          expect(r).toMatchObject({ incomplete: [], missing: [], unrequested: [], warnings: [] });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('gives the same result whatever the chunks the reply arrives in', () => {
    fc.assert(
      fc.property(reply, askedSubset, fc.array(fc.nat(), { maxLength: 30 }), (text, asked, cuts) => {
        const points = [...new Set(cuts.map((c) => (text.length === 0 ? 0 : c % (text.length + 1))))].sort((a, b) => a - b);
        const splitter = new SectionSplitter(asked);
        let from = 0;
        for (const p of [...points, text.length]) {
          splitter.push(text.slice(from, p));
          from = p;
        }
        expect(splitter.end()).toEqual(splitOutput(text, asked));
      }),
      { numRuns: 1000 },
    );
  });

  it('never returns a file that was not asked, and puts each asked path in exactly one of files, incomplete, missing, ambiguous', () => {
    fc.assert(
      fc.property(reply, askedSubset, (text, asked) => {
        const r = splitOutput(text, asked);
        for (const f of r.files) expect(asked).toContain(f.path);
        const placed = [...r.files.map((f) => f.path), ...r.incomplete, ...r.missing, ...r.ambiguous];
        expect(placed.slice().sort()).toEqual(asked.slice().sort());
        for (const u of r.unrequested) expect(asked).not.toContain(u.replace(/^(\.\/)+/, ''));
      }),
      { numRuns: 1000 },
    );
  });

  it('never returns a cut-short file: contents holding marker lines of asked paths come back whole or not at all (ambiguous)', () => {
    // Each asked path once, in a complete section whose content may hold FILE and END lines of
    // the asked paths (docs and tests about the format do), except FILE lines of its own path:
    // after a line that closed the section, that reads as the file written twice (the later wins).
    const lineOf = (paths: readonly string[]) =>
      fc.oneof(
        { weight: 3, arbitrary: contentLine },
        {
          weight: 2,
          arbitrary: fc
            .record({ kind: fc.constantFrom('FILE', 'END'), path: fc.constantFrom(...paths) })
            .map(({ kind, path }) => `<<<${kind} ${path}>>>`),
        },
      );
    const replyOf = fc
      .uniqueArray(fc.constantFrom(...PATHS), { minLength: 1, maxLength: PATHS.length })
      .chain((paths) =>
        fc.tuple(fc.constant(paths), fc.array(fc.array(lineOf(paths), { maxLength: 8 }), { minLength: paths.length, maxLength: paths.length })),
      );
    fc.assert(
      fc.property(replyOf, fc.constantFrom('\n', '\r\n'), ([paths, bodies], eol) => {
        fc.pre(!bodies.some((lines, i) => lines.includes(`<<<FILE ${paths[i]}>>>`)));
        const contents = bodies.map((lines) => lines.map((l) => l + eol).join(''));
        fc.pre(!contents.some(startsWithFence));
        const text = 'Here:' + eol + paths.map((p, i) => `<<<FILE ${p}>>>${eol}${contents[i]}<<<END ${p}>>>${eol}`).join('');
        const r = splitOutput(text, paths);
        for (const f of r.files) expect(f.content).toBe(normalised(contents[paths.indexOf(f.path)]!));
        // A content that holds its own END line never comes back as a file.
        paths.forEach((p, i) => {
          if (bodies[i]!.includes(`<<<END ${p}>>>`)) expect(r.files.map((f) => f.path)).not.toContain(p);
        });
      }),
      { numRuns: 2000 },
    );
  });
});
