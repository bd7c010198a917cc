/**
 * The outlines the repo map is built from, kept in `.harness/outlines.json` from one snapshot to the
 * next: parsing is the map's cost (tree-sitter, ~1 ms a file: a minute on 50,000 files), and a
 * continuation pass changes a few dozen files of the codebase, so a map built again after each batch
 * parses only the files whose content changed (reading the stored outlines of the rest takes about
 * 2 % of parsing them: 0.1 s against 4.8 s on a 6,000-file tree).
 *
 * An outline is kept under its path and the SHA-1 of the content it was made from (a cache key, not
 * a security check), and the whole file under OUTLINE_VERSION: a harness whose outlines differ
 * (another grammar, a new kind of declaration) reads none of an older file's.
 * test/pipeline/outline-store.test.ts fails when the outlines of its fixtures change and the
 * version does not.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { FileOutline, MapSource } from '../repomap/repo-map.js';
import { removeStaleTemps, writeFileAtomic } from '../shared/atomic-write.js';
import { HARNESS_STATE_DIR } from '../shared/paths.js';
import { outlineMany } from './outline-pool.js';

/** Bump it whenever an outline of the same file can come out different (see the store's test). */
export const OUTLINE_VERSION = 2;

const OUTLINES_FILE = `${HARNESS_STATE_DIR}/outlines.json`;

/**
 * The file's frame, checked; the outlines themselves are taken as the harness wrote them (checking
 * every name of 50,000 outlines would cost a good part of what the file saves). A file that is not
 * this shape is ignored whole.
 */
const storedSchema = z.object({
  version: z.literal(OUTLINE_VERSION),
  outlines: z.array(
    z.tuple([
      z.string(),
      z.object({ path: z.string(), declarations: z.array(z.unknown()), imports: z.array(z.unknown()), references: z.array(z.unknown()) }).loose(),
    ]),
  ),
});

export interface OutlineStoreOptions {
  /** How one file is outlined, one at a time (default: repomap's `outlineFile` on every core, outline-pool.ts; tests count the calls). */
  outline?: (path: string, content: string) => Promise<FileOutline>;
}

/**
 * The outline of every file, in order: the stored one when the file's content is the one it was
 * made from, else made now. The file then holds exactly these files' outlines (a deleted or
 * changed file's old one is dropped); it is written only when something changed.
 */
export async function outlinesFor(repoDir: string, files: readonly MapSource[], options: OutlineStoreOptions = {}): Promise<FileOutline[]> {
  const file = path.join(repoDir, OUTLINES_FILE);
  const stored = await readStored(file);
  const out: FileOutline[] = new Array(files.length);
  const keys: string[] = [];
  const missing: number[] = [];
  for (const [i, f] of files.entries()) {
    const key = `${f.path}\u0000${createHash('sha1').update(f.content).digest('base64')}`;
    keys.push(key);
    const known = stored.get(key);
    if (known && known.path === f.path) out[i] = known;
    else missing.push(i);
  }
  const made = await outlineMany(
    missing.map((i) => files[i]!),
    options.outline,
  );
  for (const [j, i] of missing.entries()) out[i] = made[j]!;
  if (missing.length > 0 || stored.size !== files.length) {
    const body = { version: OUTLINE_VERSION, outlines: keys.map((k, i) => [k, out[i]!]) };
    // The project's atomic write (a crash leaves the old file or the new one, and a temporary file the
    // next write removes); a cache: a write that fails (disk full, read-only) costs the next map a parse.
    await removeStaleTemps([file]);
    await writeFileAtomic(file, JSON.stringify(body), { syncDir: false }).catch(() => undefined);
  }
  return out;
}

async function readStored(file: string): Promise<Map<string, FileOutline>> {
  try {
    const parsed = storedSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? new Map(parsed.data.outlines as unknown as [string, FileOutline][]) : new Map();
  } catch {
    return new Map(); // missing or unreadable: every file is outlined afresh
  }
}
