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
import crypto from 'node:crypto';
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
  /** `context.text` as UTF-8. */
  bytes: Buffer;
  /** Where the time went, in ms: the walk, the reads, the context (head, decode, count), the secret scan (and the wait for the hash). */
  phases: { walk: number; read: number; context: number; secrets: number };
}

export async function scanAndPack(repoDir: string, options: ScanOptions, secrets: FindSecretsOptions, port?: ReadPort): Promise<Packed> {
  const root = path.resolve(repoDir);
  const t0 = performance.now();
  const walk = await walkRepo(root, options);
  const t1 = performance.now();
  const read = await readFramed(root, walk.toRead, { ...options, reserve: headRoom(walk.toRead), ...(port ? { port } : {}) });
  const t2 = performance.now();
  const headText = header(read.files.length) + '<tree>\n' + renderTree(read.files.map((f) => f.path)) + '</tree>\n';
  const head = Buffer.from(headText);
  let bytes: Buffer;
  if (head.length <= read.start) {
    head.copy(read.buffer, read.start - head.length);
    bytes = read.buffer.subarray(read.start - head.length, read.end);
  } else bytes = Buffer.concat([head, read.buffer.subarray(read.start, read.end)]);
  // Hashed on the thread pool while this thread decodes, counts and screens.
  const digest = crypto.subtle.digest('SHA-256', bytes);
  // The files are decoded apart from the header (whose `…` is not ASCII), so that a codebase in
  // ASCII stays a one-byte string; the text is the two joined (its tokens add up: the header
  // ends with a line break).
  const sections = read.buffer.subarray(read.start, read.end);
  const body = decode(sections);
  const files = contents(body, read.files);
  const context: CodebaseContext = {
    text: headText + body,
    tokens: estimateTokens(headText) + estimateTokensUtf8(sections),
    bytes: bytes.length,
    files: files.length,
    sha256: '', // below, once the thread pool has it
  };
  const t3 = performance.now();
  const screened = screenSpans(body, 0, read.files, envKeyOf(secrets.env));
  const findings = await findSecretsScreened(files, secrets, screened);
  const skipped = [...walk.skipped, ...read.skipped, ...(await linkSkips(root, walk.links))].sort((a, b) => comparePaths(a.path, b.path));
  context.sha256 = Buffer.from(await digest).toString('hex');
  const phases = { walk: t1 - t0, read: t2 - t1, context: t3 - t2, secrets: performance.now() - t3 };
  return { scan: { files, skipped }, context, findings, bytes, phases };
}

/** `scanRepo`'s work: the walk and the framed read, then one decode; each content a slice of it. */
export async function scanFramed(repoDir: string, options: ScanOptions): Promise<ScanResult> {
  const root = path.resolve(repoDir);
  const walk = await walkRepo(root, options);
  const read = await readFramed(root, walk.toRead, options);
  const files = contents(decode(read.buffer.subarray(read.start, read.end)), read.files);
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

function contents(text: string, framed: readonly FramedFile[]): RepoFile[] {
  return framed.map((f) => ({ path: f.path, size: f.size, content: text.slice(f.unitStart, f.unitStart + f.units) }));
}

async function linkSkips(root: string, links: readonly string[]) {
  if (links.length === 0) return [];
  const realRoot = await realpath(root);
  return Promise.all(links.map(async (rel) => ({ path: rel, reason: await symlinkReason(realRoot, path.join(root, rel)) })));
}

/**
 * Bytes enough, in front of the files, for the header and the tree of `paths` (or of any subset):
 * each line of the tree is a file or directory name indented by two spaces per level, and no
 * path adds more lines than it has segments. (A tree that needs more, say with escaped control
 * characters, is put in front by a copy instead.)
 */
function headRoom(paths: readonly string[]): number {
  let n = header(paths.length).length + 64;
  for (const p of paths) {
    let depth = 1;
    for (let i = p.indexOf('/'); i !== -1; i = p.indexOf('/', i + 1)) depth++;
    n += Buffer.byteLength(p) + depth * (depth + 1) * 2;
  }
  return n;
}
