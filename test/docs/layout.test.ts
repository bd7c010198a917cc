/** The source tree keeps its conventions (docs/contributing.md): kebab-case names, unique across src/, at most 300 lines. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.posix.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.posix.join(dir, e.name)] : [],
  );
}

const files = sources('src');

describe('source layout', () => {
  it('file names are kebab-case', () => {
    expect(files.filter((f) => !/^[a-z0-9]+(?:-[a-z0-9]+)*\.ts$/.test(path.posix.basename(f)))).toEqual([]);
  });

  it('no two files of src/ share a name (index.ts aside)', () => {
    const byName = new Map<string, string[]>();
    for (const f of files) byName.set(path.posix.basename(f), [...(byName.get(path.posix.basename(f)) ?? []), f]);
    expect([...byName].filter(([name, fs]) => name !== 'index.ts' && fs.length > 1)).toEqual([]);
  });

  it('no file is over 300 lines', () => {
    const long = files.map((f) => ({ f, lines: readFileSync(path.join(ROOT, f), 'utf8').split('\n').length - 1 })).filter((x) => x.lines > 300);
    expect(long).toEqual([]);
  });
});
