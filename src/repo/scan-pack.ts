/**
 * Scan + secret scan + codebase context in one streamed pass (the snapshot's work): the walk
 * (walk-repo.ts) lists the candidates, each file is read once, straight into the context's
 * framing (read-files.ts). Each chunk of it, once full, goes to a second thread (chunk-worker.ts)
 * that counts its tokens and runs the secret screen over its bytes while this thread reads on;
 * when the reads are done the header and tree are put in front, the worker hashes the whole, and
 * this thread decodes the chunks into the files' contents (decode-chunk.ts).
 * Only the files the screen flagged go through the per-file secret checks (secrets.ts).
 *
 * The results are the ones of `scanRepo`, `findSecrets(scan.files)` and `buildContext(scan.files)`
 * (context.ts): the same files, findings and context text, byte for byte. `bytes` is the context
 * text's UTF-8 encoding, to be written as is.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { estimateTokens } from '../shared/tokens.js';
import { ChunkWorker, type ChunkSummaries, InlineChunks } from './chunk-worker.js';
import { type CodebaseContext, header, renderTree } from './context.js';
import { decodeChunk } from './decode-chunk.js';
import { type FramedRead, type ReadPort, readFramed } from './read-files.js';
import type { RepoFile, ScanOptions, ScanResult } from './scan.js';
import { envKeyOf, type FindSecretsOptions, findSecretsScreened, type SecretFinding } from './secrets.js';
import { comparePaths, symlinkReason, walkRepo } from './walk-repo.js';

export interface Packed {
  scan: ScanResult;
  context: CodebaseContext;
  /** Of the context's files (config `secrets.allow` applied), sorted as `findSecrets` sorts them. */
  findings: SecretFinding[];
  /** `context.text` as UTF-8, in pieces (to be written one after the other, as they are). */
  bytes: readonly Buffer[];
  /**
   * Where the time went, in ms: the walk, the reads, the context (head, decode), the wait for the
   * worker (count, screen and hash of what it had not done yet), the secret checks of flagged files.
   */
  phases: { walk: number; read: number; context: number; wait: number; secrets: number };
}

export async function scanAndPack(repoDir: string, options: ScanOptions, secrets: FindSecretsOptions, port?: ReadPort): Promise<Packed> {
  const root = path.resolve(repoDir);
  const t0 = performance.now();
  // Counts, screens and hashes the chunks on a second thread while this one reads on and decodes;
  // a codebase of one chunk is done on this thread (a thread costs more than it would save).
  const envKey = envKeyOf(secrets.env);
  let chunks: ChunkSummaries | null = null;
  try {
    const walk = await walkRepo(root, options);
    const t1 = performance.now();
    const read = await readFramed(root, walk.toRead, {
      ...options,
      ...(port ? { port } : {}),
      onChunk: (c, files, last) => {
        chunks ??= last ? new InlineChunks(envKey) : new ChunkWorker(envKey);
        chunks.add(c, files);
      },
    });
    const t2 = performance.now();
    const headText = header(read.files.length) + '<tree>\n' + renderTree(read.files.map((f) => f.path)) + '</tree>\n';
    const head = Buffer.from(headText);
    chunks ??= new InlineChunks(envKey);
    const summary = chunks.finish(head);
    summary.catch(() => {}); // awaited below; a decode that throws first must not leave it unhandled
    const bytes = [head, ...read.chunks.map((c) => c.buffer.subarray(0, c.end))];
    const { texts, files } = decodeAll(read);
    // Joined by `+`, not `join`: the text is a rope of the pieces (no copy of the whole, and an ASCII
    // chunk stays one byte per character); whatever reads it flat pays for that once.
    let text = headText;
    for (const t of texts) text += t;
    const t3 = performance.now();
    const { tokens, sha256, screened } = await summary;
    // The header ends with a line break, as every chunk starts with one: the tokens of the pieces add up.
    const length = bytes.reduce((n, b) => n + b.length, 0);
    const context: CodebaseContext = { text, tokens: estimateTokens(headText) + tokens, bytes: length, files: files.length, sha256 };
    const t4 = performance.now();
    const findings = await findSecretsScreened(files, secrets, (i) => screened[i] === 1);
    const skipped = [...walk.skipped, ...read.skipped, ...(await linkSkips(root, walk.links))].sort((a, b) => comparePaths(a.path, b.path));
    const phases = { walk: t1 - t0, read: t2 - t1, context: t3 - t2, wait: t4 - t3, secrets: performance.now() - t4 };
    return { scan: { files, skipped }, context, findings, bytes, phases };
  } finally {
    await (chunks as ChunkSummaries | null)?.close();
  }
}

/** `scanRepo`'s work: the walk and the framed read, then one decode per chunk; each content a slice of it. */
export async function scanFramed(repoDir: string, options: ScanOptions): Promise<ScanResult> {
  const root = path.resolve(repoDir);
  const walk = await walkRepo(root, options);
  const read = await readFramed(root, walk.toRead, options);
  const { files } = decodeAll(read);
  const skipped = [...walk.skipped, ...read.skipped, ...(await linkSkips(root, walk.links))].sort((a, b) => comparePaths(a.path, b.path));
  return { files, skipped };
}

/** Every chunk as text, and the files with their contents. */
function decodeAll(read: FramedRead): { texts: string[]; files: RepoFile[] } {
  const files: RepoFile[] = [];
  const texts = read.chunks.map((chunk, c) => {
    const from = files.length;
    let to = from;
    while (to < read.files.length && read.files[to]!.chunk === c) to++;
    const framed = read.files.slice(from, to);
    const decoded = decodeChunk(chunk, framed);
    for (const [i, f] of framed.entries()) files.push({ path: f.path, size: f.size, content: decoded.contents[i]! });
    return decoded.text;
  });
  return { texts, files };
}

async function linkSkips(root: string, links: readonly string[]) {
  if (links.length === 0) return [];
  const realRoot = await realpath(root);
  return Promise.all(links.map(async (rel) => ({ path: rel, reason: await symlinkReason(realRoot, path.join(root, rel)) })));
}
