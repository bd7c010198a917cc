/**
 * The repo map of a `map` snapshot, kept in `.harness/repo-map.json` beside it: building it parses
 * every file with tree-sitter (about 2 ms a file: 100 s on a 50,000-file tree), so a run that reuses
 * the snapshot reads the map instead of building it again. A stored map is used only for the same
 * snapshot (its context's sha256) and the same budget; anything else builds it anew, from the
 * stored outlines of the files that did not change (outline-store.ts).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { assembleRepoMap, type MapSource, type RepoMap } from '../repomap/repo-map.js';
import { HARNESS_STATE_DIR } from '../shared/paths.js';
import { outlinesFor } from './outline-store.js';

const REPO_MAP_FILE = `${HARNESS_STATE_DIR}/repo-map.json`;

const entries = <T extends z.ZodType>(value: T) => z.array(z.tuple([z.string(), value]));
const storedSchema = z.object({
  contextSha256: z.string(),
  budget: z.number(),
  text: z.string(),
  tokens: z.number(),
  sha256: z.string(),
  imports: entries(z.array(z.string())),
  importedBy: entries(z.array(z.string())),
  rank: entries(z.number()),
});

/** The snapshot's map: the stored one when it was made for this snapshot and budget, else built and stored. */
export async function repoMapFor(repoDir: string, files: readonly MapSource[], contextSha256: string, budget: number): Promise<RepoMap> {
  const file = path.join(repoDir, REPO_MAP_FILE);
  try {
    const s = storedSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    if (s.contextSha256 === contextSha256 && s.budget === budget) {
      return {
        text: s.text,
        tokens: s.tokens,
        sha256: s.sha256,
        imports: new Map(s.imports),
        importedBy: new Map(s.importedBy),
        rank: new Map(s.rank),
      };
    }
  } catch {
    // missing or unreadable: build it
  }
  const map = assembleRepoMap(await outlinesFor(repoDir, files), { maxTokens: budget });
  const stored: z.infer<typeof storedSchema> = {
    contextSha256,
    budget,
    text: map.text,
    tokens: map.tokens,
    sha256: map.sha256,
    imports: [...map.imports].map(([k, v]) => [k, [...v]]),
    importedBy: [...map.importedBy].map(([k, v]) => [k, [...v]]),
    rank: [...map.rank],
  };
  await writeFile(file, JSON.stringify(stored));
  return map;
}
