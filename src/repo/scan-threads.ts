/**
 * How the scan reads its files: the paths are cut into ranges of consecutive files. For a codebase
 * of more than one range a worker thread (scan-worker.ts) starts while the walk goes on and reads
 * the ranges the walk has found (the walk finds the files in path order); once the walk is over
 * this thread and the worker each take the next range not yet taken (one shared counter, Atomics)
 * until none is left. A range is read into shared memory (frame-range.ts: never copied between
 * threads), its tokens counted and its bytes screened for secrets (chunk-summary.ts): by the worker
 * for its own ranges, and for this thread's while it keeps up (this thread does that work itself
 * when two of its ranges are still waiting). The worker renders the header and hashes the context
 * in order as the ranges come. This thread runs the secret checks of each range's flagged files
 * once it is summarized, while the reads go on (scan-pack.ts).
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { tokenPass } from '../shared/token-pass.js';
import { chunkSummarizer, type RangeSummary, type Summarizer, summarizerData } from './chunk-summary.js';
import { contextDigest, escapeAttr, header, renderTree, tagFor } from './context.js';
import { type FrameTools, type FramedRange, frameRange, OPEN_FLAGS } from './frame-range.js';
import { asBuffers, BACKLOG, type FromWorker, NEXT, PUBLISHED, TOTAL, type ToWorker, type WorkerSetup, workerSource } from './scan-worker.js';
import { flagSpans } from './secret-screen.js';

/** A range, read and summarized. */
export interface RangeDone {
  framed: FramedRange;
  summary: RangeSummary;
}

/** How the scan's ranges are read: by this thread alone, or by this thread and the worker. */
export interface ScanThreads {
  /** The ranges of the job. */
  readonly ranges: number;
  /** The next range for this thread to read, or -1 when every range is taken. */
  claim(): number;
  /** A range this thread read: summarized here, handed to the worker (when there is one) for the hash. */
  add(r: number, framed: FramedRange): void;
  /** Range `r`, whichever thread read it, once it is summarized. */
  done(r: number): Promise<RangeDone>;
  /** Range `r` if it is summarized already. */
  peek(r: number): RangeDone | undefined;
  /** The context's digest (context.ts `contextDigest`) of `head`, every range's chunks in order, then `tail` (after every `done`). */
  finish(head: Uint8Array, tail: Uint8Array): Promise<string>;
  close(): Promise<void>;
}

/** What both threads need to read: the paths (sorted), where, and how they are cut. */
export interface ReadJob {
  root: string;
  paths: readonly string[];
  maxFileBytes: number;
  /** Files per range. */
  rangeFiles: number;
  /** A block's size (frame-range.ts; a larger file gets one of its own size). */
  blockBytes: number;
}

export const rangeCount = (job: ReadJob): number => Math.ceil(job.paths.length / job.rangeFiles);

/** Range `r` read by the calling thread with `tools`. */
export function readRange(tools: FrameTools, job: ReadJob, r: number): FramedRange {
  const from = r * job.rangeFiles;
  return frameRange(tools, job.root, job.paths, from, Math.min(job.paths.length, from + job.rangeFiles), job.maxFileBytes, job.blockBytes);
}

/** Every range read and summarized on this thread (no worker). */
export class InlineThreads implements ScanThreads {
  readonly ranges: number;
  private next = 0;
  private readonly work: Summarizer;
  private readonly doneRanges = new Map<number, RangeDone>();

  constructor(envKey: string, job: ReadJob) {
    this.ranges = rangeCount(job);
    this.work = chunkSummarizer(tokenPass, flagSpans, summarizerData(envKey));
  }

  claim(): number {
    return this.next < this.ranges ? this.next++ : -1;
  }

  add(r: number, framed: FramedRange): void {
    this.doneRanges.set(r, { framed, summary: this.work.range(framed) });
  }

  peek(r: number): RangeDone | undefined {
    return this.doneRanges.get(r);
  }

  async done(r: number): Promise<RangeDone> {
    const d = this.doneRanges.get(r);
    if (!d) throw new Error(`range ${r} of the scan was never read`);
    return d;
  }

  async finish(head: Uint8Array, tail: Uint8Array): Promise<string> {
    const body = createHash('sha256');
    for (let r = 0; r < this.ranges; r++) for (const chunk of (await this.done(r)).framed.chunks) body.update(chunk);
    return contextDigest(head, body.update(tail).digest());
  }

  async close(): Promise<void> {}
}

/** Ranges handed over to the worker and not answered yet, at most. */
const HANDOVER_LIMIT = 2;

const SOURCE = workerSource({ frameRange, chunkSummarizer, tokenPass, flagSpans, escapeAttr, tagFor, header, renderTree });

/** Ranges read on this thread and on a worker at once. */
export class WorkerThreads implements ScanThreads {
  ranges = 0;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly control = new Int32Array(new SharedArrayBuffer(16));
  /** Ranges handed over to be summarized, until the worker answers. */
  private readonly handed = new Map<number, FramedRange>();
  private readonly rangeFiles: number;
  private published = 0;
  private readonly work: Summarizer;
  private readonly arrived = new Map<number, RangeDone>();
  private readonly waiters = new Map<number, (d: RangeDone) => void>();
  private hashed: ((sha256: string) => void) | null = null;
  private failure: Error | null = null;
  private readonly failed: ((e: Error) => void)[] = [];
  /** The context's header, rendered by the worker once the walk is over (it depends only on the walk's paths). */
  readonly header: Promise<string>;

  /**
   * Starts the thread (~25 ms, while the walk goes on). `envKey` as the screen looks for it; the
   * paths come with `publish` as the walk finds them.
   */
  constructor(envKey: string, settings: Omit<ReadJob, 'paths'>) {
    this.rangeFiles = settings.rangeFiles;
    Atomics.store(this.control, TOTAL, -1);
    const data = summarizerData(envKey);
    this.work = chunkSummarizer(tokenPass, flagSpans, data);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const setup: WorkerSetup = { settings, control: this.control, summarizer: data, openFlags: OPEN_FLAGS, port: port2 };
    this.worker = new Worker(SOURCE, { eval: true, workerData: setup, transferList: [port2] });
    this.header = new Promise((resolve, reject) => {
      this.rendered = resolve;
      this.failed.push(reject);
    });
    this.header.catch(() => {}); // a scan may never ask for it
    this.port.on('message', (m: FromWorker) => this.receive(m));
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`the scan's worker thread exited (${code})`)));
  }

  private rendered: (text: string) => void = () => {};

  /** The shared memory the read's chunks must be in (the worker reads them as they are). */
  static allocate(size: number): Buffer {
    return Buffer.from(new SharedArrayBuffer(size));
  }

  /** The walk's files so far (final, in order): every whole range not sent yet goes to the worker, which may take it at once. */
  publish(toRead: readonly string[]): void {
    const before = this.published;
    while ((this.published + 1) * this.rangeFiles <= toRead.length) this.send(toRead, this.published++);
    if (this.published > before) this.announce();
  }

  /** The walk is over: the last range is sent, and from now on this thread takes ranges too. */
  end(toRead: readonly string[]): void {
    this.publish(toRead);
    this.ranges = Math.ceil(toRead.length / this.rangeFiles);
    if (this.published < this.ranges) this.send(toRead, this.published++);
    Atomics.store(this.control, TOTAL, this.ranges);
    this.announce();
  }

  claim(): number {
    const r = Atomics.add(this.control, NEXT, 1);
    return r < this.ranges ? r : -1;
  }

  add(r: number, framed: FramedRange): void {
    if (framed.chunks.some((c) => !(c.buffer instanceof SharedArrayBuffer))) throw new Error('a chunk for the scan worker must be in shared memory');
    // The worker counts and screens the range while it keeps up (it does so before reading one of its
    // own); when it does not, this thread does: whichever thread has time does the work.
    const summarize = Atomics.load(this.control, BACKLOG) < HANDOVER_LIMIT;
    if (summarize) {
      Atomics.add(this.control, BACKLOG, 1);
      this.handed.set(r, framed);
    } else this.arrived.set(r, { framed, summary: this.work.range(framed) });
    this.port.postMessage({ add: r, framed, summarize } satisfies ToWorker);
  }

  peek(r: number): RangeDone | undefined {
    return this.arrived.get(r);
  }

  done(r: number): Promise<RangeDone> {
    const d = this.arrived.get(r);
    if (d) return Promise.resolve(d);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiters.set(r, resolve);
      this.failed.push(reject);
    });
  }

  finish(head: Uint8Array, tail: Uint8Array): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.hashed = resolve;
      this.failed.push(reject);
      this.port.postMessage({ head, tail, ranges: this.ranges } satisfies ToWorker);
    });
  }

  /** Stops the thread (after finish, or when the scan fails). */
  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    this.fail(new Error("the scan's worker thread was closed"));
    this.port.close();
    await this.worker.terminate();
  }

  /** A range's paths to the worker (before the counters say it is there: it reads them in that order). */
  private send(toRead: readonly string[], r: number): void {
    this.port.postMessage({ range: r, paths: toRead.slice(r * this.rangeFiles, (r + 1) * this.rangeFiles) } satisfies ToWorker);
  }

  private announce(): void {
    Atomics.store(this.control, PUBLISHED, this.published);
    Atomics.notify(this.control, PUBLISHED);
  }

  private receive(m: FromWorker): void {
    if ('error' in m) this.fail(new Error(`the scan's worker thread failed: ${m.error}`));
    else if ('sha256' in m) this.hashed?.(m.sha256);
    else if ('header' in m) this.rendered(m.header);
    else {
      const framed = m.framed ? asBuffers(m.framed) : this.handed.get(m.range);
      if (!framed) {
        this.fail(new Error(`the scan's worker answered for range ${m.range}, never handed over`));
        return;
      }
      const d = { framed, summary: m.summary };
      this.arrived.set(m.range, d);
      this.waiters.get(m.range)?.(d);
      this.waiters.delete(m.range);
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const reject of this.failed.splice(0)) reject(this.failure);
  }
}

/** This thread's tools: node's file system (or `port`), chunks in shared memory when a worker reads them too. */
export function frameTools(shared: boolean, port?: FrameTools['port']): FrameTools {
  return {
    port: port ?? fs,
    isUtf8,
    openFlags: OPEN_FLAGS,
    escapeAttr,
    tagFor,
    allocate: shared ? WorkerThreads.allocate : Buffer.allocUnsafe,
    arena: { block: null, used: 0 },
  };
}
