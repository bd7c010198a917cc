/**
 * The codebase snapshot: scan → secrets → one context block, stored in `.harness/` so that every
 * request of every pass (and every resume after a crash) sends byte-identical context and reads
 * the prompt cache. `init` always takes a fresh snapshot; later passes reuse it (files the harness
 * generates do not churn the cache). Delete `.harness/context.*` or run init to refresh it.
 *
 * A snapshot records what it was built from (`basis`: the config fields that decide what is
 * scanned, checked and sent, the root ignore files, the custom templates, the secret rules). When
 * any of it changes (a directory newly excluded, a new allow entry), the stored snapshot is not
 * reused: it is rebuilt, checked for secrets and against the window again, so a newly excluded
 * file is never sent from an old snapshot. A reused snapshot is checked against the current
 * model's window every time.
 *
 * The snapshot also decides the context mode (config `context.mode`, docs/context.md): `full` when
 * the whole codebase fits every request with `max_tokens`, else `map`. In `map` mode the scanned
 * files are kept in `.harness/context-files.json` (the group contexts are cut from them, and the
 * repo map built from them, on every pass) so every pass sends the same bytes as the first.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { assertContextFits, type CodebaseContext, type ContextMode, contextDigest, contextHead, decideContextMode } from '../repo/context.js';
import { contextFromBytes } from '../repo/framed-text.js';
import { scanAndPack } from '../repo/scan-pack.js';
import { comparePaths, type RepoFile, scanOptionsOf } from '../repo/scan.js';
import { REPO_MAP_HEADER } from '../requests/group-context.js';
import type { RepoMap } from '../repomap/repo-map.js';
import { assertNoSecrets, RULESET_ID, secretsError } from '../repo/secrets.js';
import { removeStaleTemps, tempFileOf } from '../shared/atomic-write.js';
import { HARNESS_STATE_DIR } from '../shared/paths.js';
import { estimateTokens } from '../shared/tokens.js';
import { ensureStateGitignore } from '../state/files.js';
import { CONTEXT_META, metaSchema } from './snapshot-meta.js';
import { repoMapFor } from './repo-map-store.js';
import type { Workspace } from './workspace.js';

const CONTEXT_TEXT = `${HARNESS_STATE_DIR}/context.txt`;
const CONTEXT_FILES = `${HARNESS_STATE_DIR}/context-files.json`;

const filesSchema = z.array(z.object({ path: z.string(), content: z.string() }));

export interface Snapshot {
  context: CodebaseContext;
  /** Repo-relative paths in the context (a task on one of them rewrites an existing file). */
  paths: ReadonlySet<string>;
  skipped: number;
  fresh: boolean;
  /** `full` (also when absent): the context goes whole in every request; `map`: the repo map and a context per group. */
  mode?: ContextMode;
  /** `map` mode: the scanned files (path and content) and their map. */
  files?: readonly Pick<RepoFile, 'path' | 'content'>[];
  map?: RepoMap;
}

/** Tokens kept free in the input window for the per-request prompt and the system prompt. */
const RESERVED_INPUT_TOKENS = 50_000;

export async function takeSnapshot(ws: Workspace, options: { reuse: boolean }): Promise<Snapshot> {
  const basis = await snapshotBasis(ws);
  if (options.reuse) {
    const stored = await readStored(ws.repoDir);
    if (stored) {
      const changed = changedParts(stored.basis, basis);
      // The window is checked on every reuse (the model or max_tokens may differ from the ones it was
      // taken for): a snapshot whose mode no longer applies is rebuilt (a full one that does not fit
      // names what to leave out).
      const mode = modeFor(ws, stored.snapshot.context.tokens);
      const fits = mode === 'map' || stored.snapshot.context.tokens + RESERVED_INPUT_TOKENS + ws.config.maxTokens <= ws.model.contextWindow;
      if (changed.length === 0 && fits && mode === (stored.snapshot.mode ?? 'full')) {
        if (mode === 'full') return stored.snapshot;
        const files = await readStoredFiles(ws.repoDir, stored.snapshot.paths);
        if (files) return { ...stored.snapshot, files, map: await repoMapFor(ws.repoDir, files, stored.snapshot.context.sha256, mapBudget(ws)) };
      }
      if (changed.length > 0)
        ws.reporter.info(`the codebase snapshot is out of date (${changed.join(', ')} changed since it was taken): scanning again`);
    }
  }
  const { config } = ws;
  // Scan, secret scan and context in one pass over the files (repo/scan-pack.ts). The context is
  // written while the scan checks its secrets: to a file of this process, renamed over the
  // snapshot's once every check has passed (removed otherwise, with the state folder when this
  // created it: a failed snapshot leaves the repo as it was).
  const stateDir = path.join(ws.repoDir, HARNESS_STATE_DIR);
  const target = path.join(ws.repoDir, CONTEXT_TEXT);
  const staged = tempFileOf(target);
  const hadState = existsSync(stateDir);
  await removeStaleTemps([target]); // of a process killed while it scanned
  let scan: Awaited<ReturnType<typeof scanAndPack>>['scan'];
  let context: CodebaseContext;
  let mode: ContextMode;
  try {
    await mkdir(stateDir, { recursive: true });
    await ensureStateGitignore(ws.repoDir); // the snapshot is local state: never untracked noise
    const packed = await scanAndPack(ws.repoDir, scanOptionsOf(config), { allow: config.secrets.allow, env: ws.env }, { out: staged });
    ({ scan, context } = packed);
    if (packed.findings.length > 0) throw secretsError(packed.findings);
    await checkCustomTemplates(ws);
    mode = modeFor(ws, context.tokens);
    if (mode === 'full') assertContextFits(context, scan.files, ws.model, RESERVED_INPUT_TOKENS, [], config.maxTokens);
    await rename(staged, target);
  } catch (e) {
    await (hadState ? unlink(staged) : rm(stateDir, { recursive: true, force: true })).catch(() => undefined);
    throw e;
  }
  const paths = scan.files.map((f) => f.path);
  const files = scan.files.map((f) => ({ path: f.path, content: f.content }));
  if (mode === 'map') await writeFile(path.join(ws.repoDir, CONTEXT_FILES), JSON.stringify(files));
  const meta: z.infer<typeof metaSchema> = {
    sha256: context.sha256,
    tokens: context.tokens,
    bytes: context.bytes,
    files: context.files,
    paths,
    omitted: scan.omitted.map((o) => o.path),
    skipped: scan.skipped.length,
    basis,
    mode,
  };
  await writeFile(path.join(ws.repoDir, CONTEXT_META), JSON.stringify(meta));
  ws.reporter.info(
    `context: ${context.files} files, ${(context.bytes / 1024).toFixed(0)} KiB, ~${context.tokens} tokens (${scan.skipped.length} skipped)`,
  );
  const snapshot: Snapshot = { context, paths: new Set(paths), skipped: scan.skipped.length, fresh: true, mode };
  if (mode === 'full') return snapshot;
  const map = await repoMapFor(ws.repoDir, files, context.sha256, mapBudget(ws));
  const why =
    config.context.mode === 'map'
      ? "context.mode is 'map'"
      : `the codebase (~${context.tokens} tokens) and max_tokens ${config.maxTokens} do not fit ${ws.model.id}'s ${ws.model.contextWindow}-token window together`;
  ws.reporter.info(`context mode map (${why}): each request gets the repo map (~${map.tokens} tokens) and its group's files in full`);
  return { ...snapshot, files, map };
}

/**
 * The codebase as one block for a single synchronous prompt (the llm planner, refine, a sync
 * repair): the whole context in `full` mode; in `map` mode the repo map (the whole codebase would
 * not fit; those prompts carry the file they are about themselves). Every caller sends it through
 * `contextBlock` (requests/build.ts), as the batches do, so an empty codebase goes as the same
 * placeholder (`EMPTY_CONTEXT_TEXT`), never as an empty text block (which the API refuses).
 */
export function promptContext(snapshot: Pick<Snapshot, 'context' | 'mode' | 'map'>): { text: string } {
  return snapshot.mode === 'map' && snapshot.map ? { text: REPO_MAP_HEADER + snapshot.map.text } : snapshot.context;
}

/** The context mode for a codebase of `tokens` under the workspace's config and model. */
/**
 * Most tokens the repo map may take (its header included): half of what the window leaves beside `max_tokens`, so the
 * group's own files keep the other half. Past it the map keeps the declarations of the files
 * ranked highest and lists the rest by path (repomap/render-map.ts); a map whose paths alone do
 * not fit is refused before any spend (pipeline/plan-map.ts).
 */
function mapBudget(ws: Pick<Workspace, 'config' | 'model'>): number {
  return Math.max(1, Math.floor((ws.model.contextWindow - ws.config.maxTokens) / 2) - estimateTokens(REPO_MAP_HEADER));
}

function modeFor(ws: Pick<Workspace, 'config' | 'model'>, tokens: number): ContextMode {
  return decideContextMode(ws.config.context.mode, tokens, RESERVED_INPUT_TOKENS, ws.config.maxTokens, ws.model.contextWindow);
}

/** The stored files of a `map` snapshot, or null when they are missing or do not match its paths (then it is rebuilt). */
async function readStoredFiles(repoDir: string, paths: ReadonlySet<string>): Promise<Pick<RepoFile, 'path' | 'content'>[] | null> {
  try {
    const files = filesSchema.parse(JSON.parse(await readFile(path.join(repoDir, CONTEXT_FILES), 'utf8')));
    return files.length === paths.size && files.every((f) => paths.has(f.path)) ? files : null;
  } catch {
    return null;
  }
}

/** Root ignore files whose content is part of the basis (nested ones are not: see docs/context.md). */
const ROOT_IGNORE_FILES = ['.gitignore', '.harnessignore'];

/**
 * What decides the snapshot's content and checks, one short digest per part. Parts, by the name
 * shown when one changes: the config fields `include`, `exclude`, `outputRoot`, `secrets.allow`,
 * `scan.maxFileBytes`, `templatesDir` (the templates' text), the root `.gitignore` /
 * `.harnessignore`, and the secret rules of this version of the harness.
 */
async function snapshotBasis(ws: Workspace): Promise<Record<string, string>> {
  const { config } = ws;
  const templates = await ws.templates();
  const ignoreFiles: Record<string, string | null> = {};
  for (const name of ROOT_IGNORE_FILES) {
    const file = path.join(ws.repoDir, name);
    ignoreFiles[name] = existsSync(file) ? await readFile(file, 'utf8').catch(() => null) : null;
  }
  const parts: Record<string, unknown> = {
    include: config.include,
    exclude: config.exclude,
    outputRoot: config.outputRoot,
    'secrets.allow': config.secrets.allow,
    'scan.maxFileBytes': config.scan.maxFileBytes,
    templatesDir: [templates.system, templates.request, templates.planner],
    ...Object.fromEntries(ROOT_IGNORE_FILES.map((name) => [name, ignoreFiles[name]])),
    'secret rules': RULESET_ID,
  };
  return Object.fromEntries(
    Object.entries(parts).map(([k, v]) => [
      k,
      createHash('sha256')
        .update(JSON.stringify(v ?? null))
        .digest('hex')
        .slice(0, 16),
    ]),
  );
}

/** Parts of `now` that differ from `then` (every part when the snapshot recorded none: older snapshots are rebuilt). */
function changedParts(then: Record<string, string> | undefined, now: Record<string, string>): string[] {
  if (!then) return ['the harness'];
  return Object.keys({ ...then, ...now }).filter((k) => then[k] !== now[k]);
}

/** Custom prompt templates are sent with every request: they are checked like the codebase. */
async function checkCustomTemplates(ws: Workspace): Promise<void> {
  if (ws.config.templatesDir === undefined) return;
  const templates = await ws.templates();
  const dir = ws.config.templatesDir.replace(/\/+$/, '');
  await assertNoSecrets(
    (['system', 'request', 'planner'] as const).map((name) => ({ path: `${dir}/${name}.md`, content: templates[name] })),
    { allow: ws.config.secrets.allow, env: ws.env, source: `the prompt templates (${dir})` },
  );
}

async function readStored(repoDir: string): Promise<{ snapshot: Snapshot; basis: Record<string, string> | undefined } | null> {
  const textFile = path.join(repoDir, CONTEXT_TEXT);
  const metaFile = path.join(repoDir, CONTEXT_META);
  if (!existsSync(textFile) || !existsSync(metaFile)) return null;
  try {
    const meta = metaSchema.parse(JSON.parse(await readFile(metaFile, 'utf8')));
    // Checked as bytes; the text is decoded only when a request is built from it.
    const bytes = await readFile(textFile);
    const head = Buffer.from(contextHead([...meta.paths, ...(meta.omitted ?? [])].sort(comparePaths)));
    // A torn or edited file, or one of another digest: rebuild.
    const body = bytes.subarray(head.length);
    if (!bytes.subarray(0, head.length).equals(head) || contextDigest(head, createHash('sha256').update(body).digest()) !== meta.sha256) return null;
    const context = contextFromBytes([bytes], { tokens: meta.tokens, bytes: meta.bytes, files: meta.files, sha256: meta.sha256 });
    return {
      snapshot: { context, paths: new Set(meta.paths), skipped: meta.skipped, fresh: false, mode: meta.mode ?? 'full' },
      basis: meta.basis,
    };
  } catch {
    return null;
  }
}
