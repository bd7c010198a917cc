/**
 * The repository documents itself: no file points at a document outside it (a contract or a
 * reference file next to the checkout), and every `docs/…` page a file names exists.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

/** Every file of the repository (tracked, or new and not ignored): no node_modules, .git, dist. */
function repoFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  return out
    .split('\0')
    .filter(Boolean)
    .filter((f) => !/(^|\/)(node_modules|\.git|dist)\//.test(f))
    .filter((f) => existsSync(path.join(ROOT, f)) && statSync(path.join(ROOT, f)).isFile());
}

function textOf(file: string): string | null {
  const buf = readFileSync(path.join(ROOT, file));
  if (buf.length > 5_000_000 || buf.includes(0)) return null; // binary or data, not prose
  return buf.toString('utf8');
}

// Built from parts so that this file does not match itself.
const FORBIDDEN_NAME = new RegExp(['CONT', 'RACT'].join(''));
const SHARED_REF = /(?:\.\.\/)+shared\/[\w./-]*/g;
const ABSOLUTE_SHARED = new RegExp(['/work', '/shared'].join(''));
const DOCS_REF = /(?<![\w./-])docs\/[\w-]+\.md\b/g;

/** A reference up into a `shared` folder that leaves the repository or names nothing in it. */
function outsideRef(file: string, ref: string): boolean {
  const target = path.resolve(ROOT, path.dirname(file), ref);
  const rel = path.relative(ROOT, target);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return true;
  // An import names the compiled .js of a .ts source.
  return !existsSync(target) && !existsSync(target.replace(/\.js$/, '.ts')) && !existsSync(target.replace(/\/$/, ''));
}

/** GitHub's anchor for a heading. */
const slug = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

/** The anchors of a Markdown file's headings. */
function anchorsOf(markdown: string): Set<string> {
  const withoutCode = markdown.replace(/^```[\s\S]*?^```/gm, '');
  return new Set([...withoutCode.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));
}

describe('the repository is self-contained', () => {
  const files = repoFiles();

  it('finds the files to check', () => {
    expect(files).toContain('README.md');
    expect(files).toContain('src/cli/commands/index.ts');
    expect(files.some((f) => f.startsWith('node_modules/') || f.startsWith('dist/'))).toBe(false);
  });

  it('no file mentions the contract file or a reference outside the repository', () => {
    const problems: string[] = [];
    for (const file of files) {
      const text = textOf(file);
      if (text === null) continue;
      text.split('\n').forEach((line, i) => {
        const where = `${file}:${i + 1}`;
        if (FORBIDDEN_NAME.test(line)) problems.push(`${where}: names the contract file (point into docs/ instead)`);
        if (ABSOLUTE_SHARED.test(line)) problems.push(`${where}: an absolute path outside the repository`);
        for (const m of line.matchAll(SHARED_REF)) {
          if (outsideRef(file, m[0])) problems.push(`${where}: ${m[0]} is not in the repository`);
        }
      });
    }
    expect(problems).toEqual([]);
  });

  it('every relative link of every Markdown file leads to a file, and to a heading of it when it names one', () => {
    const problems: string[] = [];
    for (const file of files.filter((f) => f.endsWith('.md'))) {
      const text = textOf(file);
      if (text === null) continue;
      const prose = text.replace(/^```[\s\S]*?^```/gm, '');
      for (const m of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
        const [rel, anchor] = target.split('#') as [string, string | undefined];
        const abs = rel === '' ? path.join(ROOT, file) : path.resolve(ROOT, path.dirname(file), rel);
        if (!existsSync(abs)) {
          problems.push(`${file}: ${target}: no such file`);
          continue;
        }
        if (anchor && abs.endsWith('.md') && !anchorsOf(readFileSync(abs, 'utf8')).has(anchor)) problems.push(`${file}: ${target}: no such heading`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('every docs/ page named outside test/ exists (test fixtures name made-up pages)', () => {
    const problems: string[] = [];
    for (const file of files.filter((f) => !f.startsWith('test/'))) {
      const text = textOf(file);
      if (text === null) continue;
      for (const m of text.matchAll(DOCS_REF)) {
        if (!existsSync(path.join(ROOT, m[0]))) problems.push(`${file}: ${m[0]}`);
      }
    }
    expect([...new Set(problems)]).toEqual([]);
  });
});
