/**
 * Scan + secret scan + codebase context in one streamed pass (the snapshot's work): the walk
 * (walk-repo.ts) lists the candidates; the files are read once, straight into the context's
 * framing, as ranges taken by this thread and by a worker thread at once (scan-threads.ts), each
 * counting the tokens of its ranges and screening them for secrets (chunk-summary.ts); the worker
 * hashes the context as the ranges come. Between two of its reads this thread takes the ranges
 * done so far, in order: runs the per-file secret checks (secrets.ts) on the files the screen
 * flagged, and has the context written (context-writer.ts): what is left when the reads are over
 * is the worker's last ranges. Nothing is decoded that is not read as text: a file's content, the
 * context's text are decoded from the bytes when first asked for (framed-text.ts), so the scan
 * decodes only what the secret checks read.
 *
 * The results are the ones of `scanRepo`, `findSecrets(scan.files)` and `buildContext(scan.files, scan.omitted)`
 * (context.ts): the same files, findings and context text, byte for byte. `bytes` is the context
 * text's UTF-8 encoding, to be written as is.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { estimateTokens } from '../shared/tokens.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { type CodebaseContext, contextHead, omittedBlock } from './context.js';
import { screenOf } from './chunk-summary.js';
import { ContextWriter } from './context-writer.js';
import { BLOCK_BYTES, type FramedRange } from './frame-range.js';
import { contextFromBytes } from './framed-text.js';
import { filesOf, type ReadPort, readJob, readRanges, skippedOf } from './read-files.js';
import { frameTools, InlineThreads, type RangeDone, readRange, type ScanThreads, WorkerThreads } from './scan-threads.js';
import type { RepoFile, ScanOptions, ScanResult } from './scan.js';
import { compareFindings, envKeyOf, type FindSecretsOptions, findSecretsScreened, type SecretFinding } from './secrets.js';
import { comparePaths, symlinkReason, type WalkResult, walkRepo } from './walk-repo.js';

export interface Packed {
  scan: ScanResult;
  context: CodebaseContext;
  /** Of the context's files (config `secrets.allow` applied), sorted as `findSecrets` sorts them. */
  findings: SecretFinding[];
  /** `context.text` as UTF-8, in pieces (to be written one after the other, as they are). */
  bytes: readonly Buffer[];
  /**
   * Where the time went, in ms: the walk; the reads (this thread's ranges until none is left, and
   * the decode and secret checks of the ranges done by then); the rest (the worker's last ranges,
   * their decode and checks, the header); the wait for the hash and the write.
   */
  phases: { walk: number; read: number; rest: number; wait: number };
}

export interface PackOptions {
  /** A file to write the context's bytes to (`Packed.bytes`), while the scan goes on (context-writer.ts). */
  out?: string;
  /** For tests: reads through `port` (on this thread only), ranges and chunks of other sizes. */
  port?: ReadPort;
  rangeFiles?: number;
  blockBytes?: number;
}

export async function scanAndPack(
  repoDir: string,
  options: ScanOptions,
  secrets: FindSecretsOptions,
  packOptions: PackOptions = {},
): Promise<Packed> {
  const { port } = packOptions;
  const root = path.resolve(repoDir);
  const t0 = performance.now();
  const envKey = envKeyOf(secrets.env);
  const rangeFiles = packOptions.rangeFiles ?? options.concurrency;
  const blockBytes = packOptions.blockBytes ?? BLOCK_BYTES;
  // A second thread reads too once the walk has found more than one range of files: it starts while
  // the walk goes on, and reads the ranges the walk has found (the walk finds the files in their
  // order) while this thread walks on; unless the reads go through an injected port (this thread's only).
  let worker: WorkerThreads | null = null;
  let threads: ScanThreads | null = null;
  let writer: ContextWriter | null = null;
  try {
    const walk = await walkRepo(root, options, (toRead) => {
      if (toRead.length > rangeFiles && !worker && !port)
        worker = new WorkerThreads(envKey, { root, maxFileBytes: options.maxFileBytes, rangeFiles, blockBytes });
      (worker as WorkerThreads | null)?.publish(toRead);
    });
    const t1 = performance.now();
    const job = readJob(root, walk.toRead, options.maxFileBytes, rangeFiles, blockBytes);
    (worker as WorkerThreads | null)?.end(walk.toRead);
    threads = (worker as WorkerThreads | null) ?? new InlineThreads(envKey, job);
    const tools = frameTools(threads instanceof WorkerThreads, port);
    if (packOptions.out !== undefined) writer = new ContextWriter(packOptions.out, threads instanceof WorkerThreads ? threads.header : null);
    // This thread reads ranges, and between two reads checks the ranges that are done, in order:
    // the secret checks run while the worker still reads, and the ranges this thread does not read
    // are the worker's to read.
    const done: RangeDone[] = [];
    const files: RepoFile[] = [];
    const findings: SecretFinding[] = [];
    let tokens = 0;
    const step = async (d: RangeDone) => {
      done.push(d);
      const { framed, summary } = d;
      tokens += summary.tokens;
      writer?.add(framed.chunks);
      const mine = filesOf(walk.toRead, framed);
      files.push(...mine);
      findings.push(...(await findSecretsScreened(mine, secrets, screenOf(framed, summary))));
    };
    const ready = () => threads!.peek(done.length);
    for (let r = threads.claim(); r !== -1; r = threads.claim()) {
      threads.add(r, readRange(tools, job, r));
      for (let d = ready(); d; d = ready()) await step(d);
      await nextTurn();
    }
    const t2 = performance.now();
    for (let r = done.length; r < threads.ranges; r++) await step(await threads.done(r));
    const ranges = done.map((d) => d.framed);
    const chunks = ranges.flatMap((f) => f.chunks);
    // The header depends only on what the walk found (the worker rendered it); the files the reads
    // left out are named after the last one.
    const headText = threads instanceof WorkerThreads ? await threads.header : contextHead(walk.toRead);
    const head = Buffer.from(headText);
    const { skipped, omitted } = await skipsOf(root, walk, ranges);
    const tailText = omittedBlock(omitted);
    const tail = Buffer.from(tailText);
    const hashed = threads.finish(head, tail);
    hashed.catch(() => {}); // awaited below; a step that throws first must not leave it unhandled
    const bytes = [head, ...chunks, tail];
    const written = writer?.finish(head, tail);
    written?.catch(() => {}); // awaited below
    const t3 = performance.now();
    const sha256 = await hashed;
    await written;
    writer = null;
    // The header ends with a line break, as every chunk and the tail start with one: the tokens of the pieces add up.
    const length = bytes.reduce((n, b) => n + b.length, 0);
    const context = contextFromBytes(bytes, {
      tokens: estimateTokens(headText) + tokens + estimateTokens(tailText),
      bytes: length,
      files: files.length,
      sha256,
    });
    const phases = { walk: t1 - t0, read: t2 - t1, rest: t3 - t2, wait: performance.now() - t3 };
    return { scan: { files, skipped, omitted }, context, findings: findings.sort(compareFindings), bytes, phases };
  } finally {
    await (writer as ContextWriter | null)?.abort();
    await ((threads as ScanThreads | null) ?? (worker as WorkerThreads | null))?.close();
  }
}

/** `scanRepo`'s work: the walk and the framed read (this thread only); each content decoded when first read. */
export async function scanFramed(repoDir: string, options: ScanOptions): Promise<ScanResult> {
  const root = path.resolve(repoDir);
  const walk = await walkRepo(root, options);
  const ranges = await readRanges(readJob(root, walk.toRead, options.maxFileBytes, options.concurrency));
  const files = ranges.flatMap((r) => filesOf(walk.toRead, r));
  return { files, ...(await skipsOf(root, walk, ranges)) };
}

/** What the walk and the reads left out (sorted by path), and of it what the reads did (`ScanResult`). */
async function skipsOf(root: string, walk: WalkResult, ranges: readonly FramedRange[]): Promise<Pick<ScanResult, 'skipped' | 'omitted'>> {
  const omitted = skippedOf(walk.toRead, ranges);
  const realRoot = walk.links.length > 0 ? await realpath(root) : root;
  const links = await Promise.all(walk.links.map(async (rel) => ({ path: rel, reason: await symlinkReason(realRoot, path.join(root, rel)) })));
  return { skipped: [...walk.skipped, ...omitted, ...links].sort((a, b) => comparePaths(a.path, b.path)), omitted };
}
