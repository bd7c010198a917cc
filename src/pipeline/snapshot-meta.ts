/**
 * The record of the codebase snapshot (`.harness/context.json`): what it holds, what it was built
 * from and its context mode. Apart from snapshot.ts so that `status` reads it without loading the scan.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { ContextMode } from '../repo/context.js';
import { HARNESS_STATE_DIR } from '../shared/paths.js';

export const CONTEXT_META = `${HARNESS_STATE_DIR}/context.json`;

export const metaSchema = z.object({
  sha256: z.string(),
  tokens: z.number(),
  bytes: z.number(),
  files: z.number(),
  paths: z.array(z.string()),
  /** The files the reads left out: the context's tree names them with `paths` (absent in older snapshots: none). */
  omitted: z.array(z.string()).optional(),
  skipped: z.number(),
  /** What the snapshot was built from, one digest per part (see `snapshotBasis`). */
  basis: z.record(z.string(), z.string()).optional(),
  /** The context mode the snapshot was taken for (absent in older snapshots: `full`). */
  mode: z.enum(['full', 'map']).optional(),
});

/** The mode and size of the stored snapshot (status), or null when there is none. */
export async function storedContextInfo(repoDir: string): Promise<{ mode: ContextMode; files: number; tokens: number } | null> {
  try {
    const meta = metaSchema.parse(JSON.parse(await readFile(path.join(repoDir, CONTEXT_META), 'utf8')));
    return { mode: meta.mode ?? 'full', files: meta.files, tokens: meta.tokens };
  } catch {
    return null;
  }
}
