/**
 * Scan + secret scan + codebase context in one streamed pass (the snapshot's work): the walk
 * (walk-repo.ts) lists the candidates, each file is read once, straight into the context's
 * framing (read-files.ts); then, over that one buffer: the header and tree are put in front of
 * it, its tokens are counted and its SHA-256 taken on the bytes (never re-encoded), it is decoded
 * once (every file's content is a slice of the context text, not a copy), and the secret screen
 * runs over the text once (secret-screen.ts).
 *
 * The results are the ones of `scanRepo`, `findSecrets(scan.files)` and `buildContext(scan.files)`
 * (context.ts): the same files, findings and context text, byte for byte. `bytes` is the context
 * text's UTF-8 encoding, to be written as is.
 */
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { estimateTokens, estimateTokensUtf8 } from '../shared/tokens.js';
import { type CodebaseContext, header, renderTree } from './context.js';
import { type FramedFile, type ReadPort, readFramed } from './read-files.js';
import type { RepoFile, ScanOptions, ScanResult } from './scan.js';
import { screenSpans } from './secret-screen.js';
import { envKeyOf, type FindSecretsOptions, findSecretsScreened, type SecretFinding } from './secrets.js';
import { comparePaths, symlinkReason, walkRepo } from './walk-repo.js';

export interface Packed {
  scan: ScanResult;
  context: CodebaseContext;
  /** Of the context's files (config `secrets.allow` applied), sorted as `findSecrets` sorts them. */
  findings: SecretFinding[];
  /** `context.text` as UTF-8, in pieces (to be written one after the other, as they are). */
  bytes: readonly Buffer[];
  /** Where the time went, in ms: the walk, the reads, the context (head, decode, count, hash), the secret scan. */
  phases: { walk: number; read: number; context: number; secrets: number };
}

export async function scanAndPack(repoDir: string, options: ScanOptions, secrets: FindSecretsOptions, port?: ReadPort): Promise<Packed> {
  const root = path.resolve(repoDir);
  const t0 = performance.now();
  const walk = await walkRepo(root, options);
  const t1 = performance.now();
  const read = await readFramed(root, walk.toRead, { ...options, ...(port ? { port } : {}) });
  const t2 = performance.now();
  const headText = header(read.files.length) + '<tree>\n' + renderTree(read.files.map((f) => f.path)) + '</tree>\n';
  const bytes = [Buffer.from(headText), ...read.chunks.map((c) => c.buffer.subarray(0, c.end))];
  const hash = createHash('sha256');
  // The header ends with a line break, as every chunk starts with one: the tokens of the pieces add up.
  let tokens = estimateTokens(headText);
  let length = 0;
  for (const [i, b] of bytes.entries()) {
    hash.update(b);
    if (i > 0) tokens += estimateTokensUtf8(b);
    length += b.length;
  }
  const texts = read.chunks.map((c) => decode(c.buffer.subarray(0, c.end)));
  const files = contents(texts, read.files);
  // Joined by `+`, not `join`: the text is a rope of the pieces (no copy of the whole, and an ASCII
  // chunk stays one byte per character); whatever reads it flat pays for that once.
  let text = headText;
  for (const t of texts) text += t;
  const context: CodebaseContext = { text, tokens, bytes: length, files: files.length, sha256: hash.digest('hex') };
  const t3 = performance.now();
  const screened = screen(texts, read.files, envKeyOf(secrets.env));
  const findings = await findSecretsScreened(files, secrets, screened);
  const skipped = [...walk.skipped, ...read.skipped, ...(await linkSkips(root, walk.links))].sort((a, b) => comparePaths(a.path, b.path));
  const phases = { walk: t1 - t0, read: t2 - t1, context: t3 - t2, secrets: performance.now() - t3 };
  return { scan: { files, skipped }, context, findings, bytes, phases };
}

/** `scanRepo`'s work: the walk and the framed read, then one decode per chunk; each content a slice of it. */
export async function scanFramed(repoDir: string, options: ScanOptions): Promise<ScanResult> {
  const root = path.resolve(repoDir);
  const walk = await walkRepo(root, options);
  const read = await readFramed(root, walk.toRead, options);
  const files = contents(
    read.chunks.map((c) => decode(c.buffer.subarray(0, c.end))),
    read.files,
  );
  const skipped = [...walk.skipped, ...read.skipped, ...(await linkSkips(root, walk.links))].sort((a, b) => comparePaths(a.path, b.path));
  return { files, skipped };
}

/**
 * The bytes as text. ASCII is decoded as Latin-1, which gives the same string but lets node keep a
 * large one outside the JS heap, as a plain copy (a UTF-8 decode builds it on the heap).
 */
function decode(bytes: Buffer): string {
  return bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
}

function contents(texts: readonly string[], framed: readonly FramedFile[]): RepoFile[] {
  return framed.map((f) => ({ path: f.path, size: f.size, content: texts[f.chunk]!.slice(f.unitStart, f.unitStart + f.units) }));
}

/** The secret screen, chunk by chunk: whether file i may hold a marker. */
function screen(texts: readonly string[], framed: readonly FramedFile[], envKey: string): (index: number) => boolean {
  const flags = new Uint8Array(framed.length);
  let from = 0;
  for (let c = 0; c < texts.length; c++) {
    let to = from;
    while (to < framed.length && framed[to]!.chunk === c) to++;
    const inChunk = screenSpans(texts[c]!, 0, framed.slice(from, to), envKey);
    for (let i = from; i < to; i++) flags[i] = inChunk(i - from) ? 1 : 0;
    from = to;
  }
  return (index) => flags[index] === 1;
}

async function linkSkips(root: string, links: readonly string[]) {
  if (links.length === 0) return [];
  const realRoot = await realpath(root);
  return Promise.all(links.map(async (rel) => ({ path: rel, reason: await symlinkReason(realRoot, path.join(root, rel)) })));
}
