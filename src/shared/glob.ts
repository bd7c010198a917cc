/**
 * Globs on repo-relative POSIX paths, one dialect for the whole harness (packing estimates, mirror
 * rules, the secrets allow list, config globs checked one file at a time, the default excludes'
 * file names). Hand-written because node:path `matchesGlob` is experimental on Node 20 (it warns)
 * and skips dot files. The scan's walk (repo/walk-repo.ts) applies config globs with it too; the syntax above
 * follows globby's dialect.
 */
import { escapeRegExp } from './regexp.js';

/**
 * A glob as a RegExp on whole POSIX paths: `**` any number of segments (`a/**\/b` matches `a/b`),
 * `*` any characters but `/`, `?` one character but `/`, `{a,b}` alternatives (nestable),
 * `[abc]` / `[!abc]` a character class; `\x` a literal x. Dot files are matched like any other.
 */
export function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${globSource(glob, 0, glob.length)}$`);
}

function globSource(g: string, from: number, to: number): string {
  let re = '';
  let i = from;
  while (i < to) {
    const c = g[i]!;
    if (c === '*') {
      if (g[i + 1] === '*') {
        const atStart = i === from || g[i - 1] === '/';
        let j = i + 2;
        while (j < to && g[j] === '*') j++;
        if (atStart && g[j] === '/') {
          re += '(?:.*/)?';
          i = j + 1;
        } else if (atStart && j === to) {
          re += '.*';
          i = j;
        } else {
          re += '[^/]*';
          i = j;
        }
      } else {
        re += '[^/]*';
        i++;
      }
    } else if (c === '?') {
      re += '[^/]';
      i++;
    } else if (c === '\\' && i + 1 < to) {
      re += escapeRegExp(g[i + 1]!);
      i += 2;
    } else if (c === '[') {
      const close = g.indexOf(']', i + 2);
      if (close === -1 || close >= to) {
        re += '\\[';
        i++;
      } else {
        let body = g.slice(i + 1, close);
        const negate = body.startsWith('!') || body.startsWith('^');
        if (negate) body = body.slice(1);
        re += `[${negate ? '^/' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
        i = close + 1;
      }
    } else if (c === '{') {
      const close = matchingBrace(g, i, to);
      if (close === -1) {
        re += '\\{';
        i++;
      } else {
        const parts = splitAlternatives(g, i + 1, close);
        re += parts.length < 2 ? `\\{${globSource(g, i + 1, close)}\\}` : `(?:${parts.map(([a, b]) => globSource(g, a, b)).join('|')})`;
        i = close + 1;
      }
    } else {
      re += escapeRegExp(c);
      i++;
    }
  }
  return re;
}

function matchingBrace(g: string, open: number, to: number): number {
  let depth = 0;
  for (let i = open; i < to; i++) {
    const c = g[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

function splitAlternatives(g: string, from: number, to: number): [number, number][] {
  const parts: [number, number][] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < to; i++) {
    const c = g[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === ',' && depth === 0) {
      parts.push([start, i]);
      start = i + 1;
    }
  }
  parts.push([start, to]);
  return parts;
}

/**
 * The static base of a glob: its leading segments with no glob syntax (`src/**\/*.ts` → `src`,
 * `**\/*.ts` → ``, `src/a/b.ts` → `src/a`: a glob without magic is a file, its base its directory).
 */
export function globBase(glob: string): string {
  const segments = glob.split('/');
  const base: string[] = [];
  for (let i = 0; i < segments.length - 1; i++) {
    if (/[*?[\]{}\\]/.test(segments[i]!)) break;
    base.push(segments[i]!);
  }
  return base.join('/');
}
