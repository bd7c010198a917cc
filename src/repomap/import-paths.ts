/**
 * Path helpers shared by the import resolvers: repo-relative POSIX paths, '' for the root.
 */

/** What a TS/JS specifier can leave off, tried in this order (relative imports, tsconfig `paths`, `baseUrl`, workspace packages). */
export const SCRIPT_EXTENSIONS = ['.ts', '.tsx', '.d.ts', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.json'];
const JS_TO_TS: Record<string, readonly string[]> = { '.js': ['.ts', '.tsx', '.d.ts'], '.jsx': ['.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };

export const dirOf = (p: string): string => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
export const join = (dir: string, rest: string): string => (dir ? `${dir}/${rest}` : rest);

/** `a/./b/../c` -> `a/c`; null when it climbs out of the repo. */
export function normalize(p: string): string | null {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (!out.length) return null;
      out.pop();
    } else out.push(part);
  }
  return out.join('/');
}

/** The repo's files, and the directories that hold them directly. */
export interface FileSet {
  files: ReadonlySet<string>;
  dirs: ReadonlySet<string>;
}

export const fileSet = (paths: Iterable<string>): FileSet => {
  const files = new Set(paths);
  return { files, dirs: new Set([...files].map(dirOf)) };
};

/**
 * The first repo file `base` can name: itself, then with a TypeScript extension in place of a
 * `.js`-family one, then with each extension appended, then as a directory's `index` file.
 */
export function firstFile({ files, dirs }: FileSet, base: string, extensions: readonly string[]): string | null {
  // candidates are files of base's directory or of base as a directory: most package names stop at the first test
  if (dirs.has(dirOf(base))) {
    if (base && files.has(base)) return base;
    const ext = /\.[cm]?jsx?$/.exec(base)?.[0];
    for (const t of ext ? (JS_TO_TS[ext] ?? []) : []) {
      const c = base.slice(0, -ext!.length) + t;
      if (files.has(c)) return c;
    }
    for (const e of extensions) if (files.has(base + e)) return base + e;
  }
  if (dirs.has(base)) {
    for (const e of extensions) {
      const c = join(base, `index${e}`);
      if (files.has(c)) return c;
    }
  }
  return null;
}
