/**
 * The codebase snapshot: scan → secrets → one context block, stored in `.harness/` so that every
 * request of every pass (and every resume after a crash) sends byte-identical context and reads
 * the prompt cache. `init` always takes a fresh snapshot; later passes reuse it (files the harness
 * generates do not churn the cache). Delete `.harness/context.*` or run init to refresh it.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { assertContextFits, buildContext, type CodebaseContext } from '../repo/context.js';
import { scanRepo } from '../repo/scan.js';
import { findSecrets, secretsError } from '../repo/secrets.js';
import { HARNESS_STATE_DIR } from '../shared/paths.js';
import { ensureStateGitignore } from '../state/files.js';
import type { Workspace } from './workspace.js';

const CONTEXT_TEXT = `${HARNESS_STATE_DIR}/context.txt`;
const CONTEXT_META = `${HARNESS_STATE_DIR}/context.json`;

const metaSchema = z.object({
  sha256: z.string(),
  tokens: z.number(),
  bytes: z.number(),
  files: z.number(),
  paths: z.array(z.string()),
  skipped: z.number(),
});

export interface Snapshot {
  context: CodebaseContext;
  /** Repo-relative paths in the context (a task on one of them rewrites an existing file). */
  paths: ReadonlySet<string>;
  skipped: number;
  fresh: boolean;
}

/** Tokens kept free in the input window for the per-request prompt and the system prompt. */
const RESERVED_INPUT_TOKENS = 50_000;

export async function takeSnapshot(ws: Workspace, options: { reuse: boolean }): Promise<Snapshot> {
  if (options.reuse) {
    const stored = await readStored(ws.repoDir);
    if (stored) return stored;
  }
  const { config } = ws;
  const scan = await scanRepo(ws.repoDir, {
    include: config.include,
    exclude: config.exclude,
    maxFileBytes: config.scan.maxFileBytes,
    concurrency: config.scan.concurrency,
  });
  const findings = await findSecrets(scan.files, { allow: config.secrets.allow, env: ws.env });
  if (findings.length > 0) throw secretsError(findings);
  const context = buildContext(scan.files);
  assertContextFits(context, scan.files, ws.model, RESERVED_INPUT_TOKENS);
  const paths = scan.files.map((f) => f.path);
  await mkdir(path.join(ws.repoDir, HARNESS_STATE_DIR), { recursive: true });
  await ensureStateGitignore(ws.repoDir); // the snapshot is local state: never untracked noise
  await writeFile(path.join(ws.repoDir, CONTEXT_TEXT), context.text);
  const meta: z.infer<typeof metaSchema> = {
    sha256: context.sha256,
    tokens: context.tokens,
    bytes: context.bytes,
    files: context.files,
    paths,
    skipped: scan.skipped.length,
  };
  await writeFile(path.join(ws.repoDir, CONTEXT_META), JSON.stringify(meta));
  ws.reporter.info(
    `context: ${context.files} files, ${(context.bytes / 1024).toFixed(0)} KiB, ~${context.tokens} tokens (${scan.skipped.length} skipped)`,
  );
  return { context, paths: new Set(paths), skipped: scan.skipped.length, fresh: true };
}

async function readStored(repoDir: string): Promise<Snapshot | null> {
  const textFile = path.join(repoDir, CONTEXT_TEXT);
  const metaFile = path.join(repoDir, CONTEXT_META);
  if (!existsSync(textFile) || !existsSync(metaFile)) return null;
  try {
    const meta = metaSchema.parse(JSON.parse(await readFile(metaFile, 'utf8')));
    const text = await readFile(textFile, 'utf8');
    const context: CodebaseContext = { text, tokens: meta.tokens, bytes: meta.bytes, files: meta.files, sha256: meta.sha256 };
    if (createHash('sha256').update(text).digest('hex') !== meta.sha256) return null; // torn write: rebuild
    return { context, paths: new Set(meta.paths), skipped: meta.skipped, fresh: false };
  } catch {
    return null;
  }
}
