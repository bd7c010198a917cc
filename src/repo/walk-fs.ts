/**
 * The file system globby walks with (scan.ts): node's, except that the entries the walk lists are
 * kept. globby's gitignore filter asks `fs.promises.stat` whether each result is a directory; it
 * is answered from them instead of by one more stat per file (50,000 files: about half of the
 * walk's time). Symlinks are not answered from them (stat follows links). The scan also finds the
 * excluded directories it did not enter in them.
 *
 * Upstream internals this relies on, checked with globby 16.2.4 over fast-glob 3.3.3 and
 * @nodelib/fs.scandir 2.1.5 (package.json pins globby with `~`; test/canary/globby-fs.test.ts fails
 * when any of it changes):
 * - globby hands its `fs` option down to fast-glob, whose directory reader calls
 *   `fs.readdir(dir, { withFileTypes: true }, callback)` with `dir` absolute and normalised, once
 *   for each directory it enters, never for one its `ignore` globs leave out;
 * - globby's gitignore filter calls the option's `fs.promises.stat(absolutePath)` and only reads
 *   `isDirectory()` from the answer, which a Dirent has too.
 * If either stops, nothing breaks silently in the results' content: without the first, excluded
 * directories are no longer listed in `skipped` (the canary says so); without the second, the walk
 * is only slower.
 */
import fs, { type Dirent } from 'node:fs';
import path from 'node:path';
import type { Options as GlobbyOptions } from 'globby';

export interface RecordingFs {
  /** For globby's `fs` option. */
  fs: GlobbyOptions['fs'];
  /** Every entry the walk listed, by absolute path. */
  seen: ReadonlyMap<string, Dirent>;
}

export function recordingFs(): RecordingFs {
  const seen = new Map<string, Dirent>();
  const keep = (dir: string, entries: Dirent[]) => {
    const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep; // walk paths are absolute and normalised
    for (const e of entries) seen.set(prefix + e.name, e);
  };
  type Callback = (err: NodeJS.ErrnoException | null, entries: unknown) => void;
  const nodeReaddir = fs.readdir as (dir: string, opts: unknown, cb?: Callback) => void;
  const readdir = (dir: string, opts: unknown, cb?: Callback) => {
    if (typeof opts === 'function' || cb === undefined) return nodeReaddir(dir, opts, cb);
    nodeReaddir(dir, opts, (err, entries) => {
      if (!err && (opts as { withFileTypes?: boolean } | null)?.withFileTypes) keep(dir, entries as Dirent[]);
      cb(err, entries);
    });
  };
  const stat = async (p: string) => {
    const known = seen.get(p);
    return known && !known.isSymbolicLink() ? known : fs.promises.stat(p);
  };
  return { fs: { ...fs, readdir, promises: { ...fs.promises, stat } } as unknown as GlobbyOptions['fs'], seen };
}
