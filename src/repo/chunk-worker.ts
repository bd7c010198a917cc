/**
 * The scan's second thread: while the main thread walks and reads, a worker counts the tokens of
 * each full chunk of the context (shared memory, never copied) and runs the secret screen over it;
 * once the reads are done and the header is known, it hashes the header and the chunks in order.
 * The main thread meanwhile decodes the chunks into the files' text. On two cores that takes the
 * screen, the count and the hash (about half of the scan's CPU time) off the critical path.
 *
 * The worker runs the text of self-contained functions, the very ones this thread runs when a
 * codebase is one chunk (InlineChunks: no thread for so little): `chunkSummarizer` here,
 * `countUtf8Tokens` (shared/tokens.ts), `flagSpans` (secret-screen.ts); one implementation each. The
 * chunks are read as Latin-1 (one character a byte: `screenSource` with `bytes` says why the screen
 * finds the same markers there).
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { countUtf8Tokens, TOKEN_START, TOKEN_STEP } from '../shared/tokens.js';
import type { Chunk, FramedFile } from './read-files.js';
import { flagSpans, screenSource } from './secret-screen.js';

export interface ChunkSummary {
  /** Tokens of the chunks' bytes (the header's are the caller's). */
  tokens: number;
  /** SHA-256 of the header and the chunks, in order (the context's bytes), hex. */
  sha256: string;
  /** For each file, in order: whether the screen found a marker in its content. */
  screened: Uint8Array;
}

interface SummarizerData {
  step: Uint16Array;
  startEntry: number;
  /** The screen's source over Latin-1 text, or null: every file is flagged. */
  screen: string | null;
}

type ToWorker = { chunk: SharedArrayBuffer; end: number; starts: Int32Array; ends: Int32Array } | { head: Uint8Array };
type FromWorker = { tokens: number; flags: Uint8Array } | { sha256: string } | { error: string };

/**
 * The work on the chunks, self-contained (the worker runs its text; it may use nothing but its
 * arguments): each chunk's token count and screen flags as it comes, then the hash of the header
 * and every chunk, in order.
 */
function chunkSummarizer(
  count: typeof countUtf8Tokens,
  flag: typeof flagSpans,
  data: SummarizerData,
  createHash: typeof import('node:crypto').createHash,
): { add(bytes: Buffer, starts: Int32Array, ends: Int32Array): { tokens: number; flags: Uint8Array }; finish(head: Uint8Array): string } {
  const re = data.screen === null ? null : new RegExp(data.screen, 'g');
  const chunks: Buffer[] = [];
  return {
    add(bytes, starts, ends) {
      chunks.push(bytes);
      const tokens = count(data.step, data.startEntry, bytes, 0, bytes.length);
      const flags = re === null ? new Uint8Array(starts.length).fill(1) : flag(re, bytes.toString('latin1'), 0, starts, ends);
      return { tokens, flags };
    },
    finish(head) {
      const hash = createHash('sha256').update(head);
      for (const c of chunks) hash.update(c);
      return hash.digest('hex');
    },
  };
}

/**
 * The worker's program (its text is what runs: it may use nothing but its arguments and node's
 * modules, reached with `process.getBuiltinModule`, which works whether node runs the text as a
 * script or, under `--input-type=module`, as a module; `require` exists only in the first).
 */
function workerMain(summarizer: typeof chunkSummarizer, count: typeof countUtf8Tokens, flag: typeof flagSpans): void {
  const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
  const { createHash } = process.getBuiltinModule('node:crypto');
  const work = summarizer(count, flag, workerData as SummarizerData, createHash);
  parentPort!.on('message', (m: ToWorker) => {
    try {
      if ('head' in m) parentPort!.postMessage({ sha256: work.finish(m.head) } satisfies FromWorker);
      else parentPort!.postMessage(work.add(Buffer.from(m.chunk, 0, m.end), m.starts, m.ends) satisfies FromWorker);
    } catch (e) {
      parentPort!.postMessage({ error: String((e as Error)?.stack ?? e) } satisfies FromWorker);
    }
  });
}

const SOURCE = `(${workerMain.toString()})(${chunkSummarizer.toString()}, ${countUtf8Tokens.toString()}, ${flagSpans.toString()})`;

/** What the scan hands its chunks to: a worker thread (ChunkWorker) or this thread (InlineChunks). */
export interface ChunkSummaries {
  /** A full chunk and its files (their content spans in its bytes). */
  add(chunk: Chunk, files: readonly FramedFile[]): void;
  /** The summary of every chunk added, `head` (the context's header bytes) hashed first. */
  finish(head: Uint8Array): Promise<ChunkSummary>;
  close(): Promise<void>;
}

const summarizerData = (envKey: string): SummarizerData => ({
  step: TOKEN_STEP,
  startEntry: TOKEN_START,
  screen: screenSource(envKey, { bytes: true }),
});
const spansOf = (files: readonly FramedFile[]) => ({
  starts: Int32Array.from(files, (f) => f.byteStart),
  ends: Int32Array.from(files, (f) => f.byteStart + f.size),
});

/** The same work on this thread: for a codebase of one chunk, where starting a thread (~25 ms) costs more than it saves. */
export class InlineChunks implements ChunkSummaries {
  private readonly work: ReturnType<typeof chunkSummarizer>;
  private tokens = 0;
  private readonly flags: Uint8Array[] = [];

  constructor(envKey: string) {
    this.work = chunkSummarizer(countUtf8Tokens, flagSpans, summarizerData(envKey), createHash);
  }

  add(chunk: Chunk, files: readonly FramedFile[]): void {
    const { starts, ends } = spansOf(files);
    const r = this.work.add(chunk.buffer.subarray(0, chunk.end), starts, ends);
    this.tokens += r.tokens;
    this.flags.push(r.flags);
  }

  async finish(head: Uint8Array): Promise<ChunkSummary> {
    return { tokens: this.tokens, sha256: this.work.finish(head), screened: Buffer.concat(this.flags) };
  }

  async close(): Promise<void> {}
}

export class ChunkWorker implements ChunkSummaries {
  private readonly worker: Worker;
  /** Replies come in the order of the messages: one waiter per message sent. */
  private readonly waiting: { resolve: (m: FromWorker) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | null = null;
  private readonly chunks: Promise<Extract<FromWorker, { tokens: number }>>[] = [];

  /** Starts the thread (~25 ms, while the read goes on). `envKey` as the screen looks for it. */
  constructor(envKey: string) {
    this.worker = new Worker(SOURCE, { eval: true, workerData: summarizerData(envKey) });
    this.worker.on('message', (m: FromWorker) => {
      const waiter = this.waiting.shift();
      if ('error' in m) waiter?.reject(new Error(`the scan's worker thread failed: ${m.error}`));
      else waiter?.resolve(m);
    });
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`the scan's worker thread exited (${code})`)));
  }

  /** Hands over a full chunk (in shared memory) and its files (their content spans in its bytes). */
  add(chunk: Chunk, files: readonly FramedFile[]): void {
    const memory = chunk.buffer.buffer;
    if (!(memory instanceof SharedArrayBuffer) || chunk.buffer.byteOffset !== 0)
      throw new Error('a chunk for the scan worker must be a whole shared buffer');
    const reply = this.ask({ chunk: memory, end: chunk.end, ...spansOf(files) }).then((m) => {
      if (!('tokens' in m) || m.flags.length !== files.length) throw new Error('the scan worker answered a chunk out of turn');
      return m;
    });
    reply.catch(() => {}); // awaited by finish(); a scan that stops before it must not leave a rejection unhandled
    this.chunks.push(reply);
  }

  /** The summary of every chunk added, `head` (the context's header bytes) hashed first. */
  async finish(head: Uint8Array): Promise<ChunkSummary> {
    const hashed = this.ask({ head });
    hashed.catch(() => {});
    const replies = await Promise.all(this.chunks);
    const m = await hashed;
    if (!('sha256' in m)) throw new Error('the scan worker did not answer with a hash');
    return { tokens: replies.reduce((n, r) => n + r.tokens, 0), sha256: m.sha256, screened: Buffer.concat(replies.map((r) => r.flags)) };
  }

  /** Stops the thread (after finish, or when the scan fails). */
  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    this.fail(new Error("the scan's worker thread was closed"));
    await this.worker.terminate();
  }

  private ask(message: ToWorker): Promise<Exclude<FromWorker, { error: string }>> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve: resolve as (m: FromWorker) => void, reject });
      this.worker.postMessage(message);
    });
  }

  private fail(e: Error): void {
    this.failure = e;
    for (const w of this.waiting.splice(0)) w.reject(e);
  }
}
