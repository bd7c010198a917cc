/**
 * The scan's second thread: while the main thread walks and reads, a worker counts the tokens of
 * each full chunk of the context (shared memory, never copied) and runs the secret screen over it;
 * once the reads are done and the header is known, it hashes the header and the chunks in order.
 * The main thread meanwhile decodes the chunks into the files' text. On two cores that takes the
 * screen, the count and the hash (about half of the scan's CPU time) off the critical path.
 *
 * The worker runs the text of two self-contained functions, the very ones the main thread uses
 * (`countUtf8Tokens` in shared/tokens.ts, `flagSpans` in secret-screen.ts), so there is one
 * implementation of each; it reads the chunks as Latin-1 (one character a byte: `screenSource`
 * with `bytes` says why the screen finds the same markers there).
 */
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

interface WorkerData {
  step: Uint16Array;
  startEntry: number;
  /** The screen's source over Latin-1 text, or null: every file is flagged. */
  screen: string | null;
}

type ToWorker = { chunk: SharedArrayBuffer; end: number; starts: Int32Array; ends: Int32Array } | { head: Uint8Array };
type FromWorker = { tokens: number; flags: Uint8Array } | { sha256: string } | { error: string };

/** The worker's program (its text is what runs: it may use nothing but its arguments and node's modules). */
function workerMain(count: typeof countUtf8Tokens, flag: typeof flagSpans): void {
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  const data = workerData as WorkerData;
  const re = data.screen === null ? null : new RegExp(data.screen, 'g');
  const chunks: Buffer[] = [];
  parentPort!.on('message', (m: ToWorker) => {
    try {
      if ('head' in m) {
        const hash = createHash('sha256').update(m.head);
        for (const c of chunks) hash.update(c);
        parentPort!.postMessage({ sha256: hash.digest('hex') } satisfies FromWorker);
        return;
      }
      const bytes = Buffer.from(m.chunk, 0, m.end);
      chunks.push(bytes);
      const tokens = count(data.step, data.startEntry, bytes, 0, bytes.length);
      const flags = re === null ? new Uint8Array(m.starts.length).fill(1) : flag(re, bytes.toString('latin1'), 0, m.starts, m.ends);
      parentPort!.postMessage({ tokens, flags } satisfies FromWorker);
    } catch (e) {
      parentPort!.postMessage({ error: String((e as Error)?.stack ?? e) } satisfies FromWorker);
    }
  });
}

const SOURCE = `(${workerMain.toString()})(${countUtf8Tokens.toString()}, ${flagSpans.toString()})`;

export class ChunkWorker {
  private readonly worker: Worker;
  /** Replies come in the order of the messages: one waiter per message sent. */
  private readonly waiting: { resolve: (m: FromWorker) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | null = null;
  private readonly chunks: Promise<Extract<FromWorker, { tokens: number }>>[] = [];

  /** Starts the thread (~25 ms: start it before the walk). `envKey` as the screen looks for it. */
  constructor(envKey: string) {
    const workerData: WorkerData = { step: TOKEN_STEP, startEntry: TOKEN_START, screen: screenSource(envKey, { bytes: true }) };
    this.worker = new Worker(SOURCE, { eval: true, workerData });
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
    const starts = Int32Array.from(files, (f) => f.byteStart);
    const ends = Int32Array.from(files, (f) => f.byteStart + f.size);
    const reply = this.ask({ chunk: memory, end: chunk.end, starts, ends }).then((m) => {
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
    const screened = new Uint8Array(replies.reduce((n, r) => n + r.flags.length, 0));
    let tokens = 0;
    let at = 0;
    for (const r of replies) {
      tokens += r.tokens;
      screened.set(r.flags, at);
      at += r.flags.length;
    }
    return { tokens, sha256: m.sha256, screened };
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
