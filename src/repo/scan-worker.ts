/**
 * The program of the scan's worker thread (scan-threads.ts starts it and talks to it). Its text is
 * what runs: it uses nothing but its arguments, the text of self-contained functions that this
 * thread runs too (`frameRange`, `chunkSummarizer`, `countUtf8Tokens`, `flagSpans`, `escapeAttr`,
 * `tagFor`, `header`, `renderTree`: one implementation each), and node's modules, reached with
 * `process.getBuiltinModule`, which works whether node runs the text as a script or, under
 * `--input-type=module`, as a module.
 *
 * Given the job, it renders the context's header as it will be if every file is read and starts
 * the hash with it; then it takes ranges until none is left, reading, counting and screening each,
 * and hashing every range (its own and the ones this thread hands over) as soon as the ones before
 * it are. When the reads are done, this thread sends the real header: the same, and the digest is
 * ready; another (a file turned out binary or unreadable), and everything is hashed again behind it.
 */
import type { chunkSummarizer, RangeSummary, SummarizerData } from './chunk-summary.js';
import type { escapeAttr, header, renderTree, tagFor } from './context.js';
import type { FramedRange, frameRange } from './frame-range.js';
import type { ReadJob } from './scan-threads.js';
import type { flagSpans } from './secret-screen.js';
import type { countUtf8Tokens } from '../shared/tokens.js';

export interface WorkerSetup {
  summarizer: SummarizerData;
  openFlags: number;
  /** The worker's end of the channel (messages both ways). */
  port: import('node:worker_threads').MessagePort;
}

export type ToWorker = { job: ReadJob; next: Int32Array } | { add: number; framed: FramedRange } | { head: Uint8Array; ranges: number };
export type FromWorker =
  | { expected: string }
  | { range: number; framed: FramedRange; summary: RangeSummary }
  | { sha256: string }
  | { error: string };

function workerMain(
  frame: typeof frameRange,
  summarizer: typeof chunkSummarizer,
  count: typeof countUtf8Tokens,
  flag: typeof flagSpans,
  attr: typeof escapeAttr,
  tag: typeof tagFor,
  headerOf: typeof header,
  tree: typeof renderTree,
): void {
  const { workerData, receiveMessageOnPort: receive } = process.getBuiltinModule('node:worker_threads');
  const fs = process.getBuiltinModule('node:fs');
  const { isUtf8 } = process.getBuiltinModule('node:buffer');
  const { createHash } = process.getBuiltinModule('node:crypto');
  const setup = workerData as WorkerSetup;
  const { port } = setup;
  const work = summarizer(count, flag, setup.summarizer, createHash);
  const allocate = (n: number) => Buffer.from(new SharedArrayBuffer(n));
  const tools = {
    port: fs,
    isUtf8,
    openFlags: setup.openFlags,
    escapeAttr: attr,
    tagFor: tag,
    allocate,
    arena: { block: null, used: 0, id: 0 },
    thread: 1,
  };
  const kept: Uint8Array[][] = [];
  const running = createHash('sha256');
  let expected = Buffer.alloc(0);
  let hashed = 0;
  const keep = (r: number, f: FramedRange) => {
    kept[r] = f.chunks.map((c, k) => c.subarray(0, f.ends[k]));
    for (; kept[hashed] !== undefined; hashed++) for (const piece of kept[hashed]!) running.update(piece);
  };
  const asBuffers = (f: FramedRange): FramedRange => ({ ...f, chunks: f.chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)) });
  const fail = (e: unknown) => port.postMessage({ error: String((e as Error)?.stack ?? e) } satisfies FromWorker);

  const run = (job: ReadJob, next: Int32Array) => {
    const text = `${headerOf(job.paths.length)}<tree>\n${tree(job.paths)}</tree>\n`;
    port.postMessage({ expected: text } satisfies FromWorker);
    expected = Buffer.from(text);
    running.update(expected);
    const ranges = Math.ceil(job.paths.length / job.rangeFiles);
    for (;;) {
      // The ranges this thread handed over, between two of this worker's own.
      for (let m = receive(port); m !== undefined; m = receive(port)) handle(m.message as ToWorker);
      const r = Atomics.add(next, 0, 1);
      if (r >= ranges) break;
      const from = r * job.rangeFiles;
      const framed = frame(tools, job.root, job.paths, from, Math.min(job.paths.length, from + job.rangeFiles), job.maxFileBytes, job.blockBytes);
      keep(r, framed);
      port.postMessage({ range: r, framed, summary: work.range(framed) } satisfies FromWorker);
    }
  };
  const handle = (m: ToWorker) => {
    try {
      if ('job' in m) run(m.job, m.next);
      else if ('add' in m) keep(m.add, asBuffers(m.framed));
      else {
        const same = hashed === m.ranges && Buffer.from(m.head.buffer, m.head.byteOffset, m.head.byteLength).equals(expected);
        port.postMessage({ sha256: same ? running.digest('hex') : work.hash(m.head, kept.slice(0, m.ranges).flat()) } satisfies FromWorker);
      }
    } catch (e) {
      fail(e);
    }
  };
  port.on('message', handle);
}

/** The worker's program, as text (for `new Worker(…, { eval: true })`). */
export function workerSource(fns: {
  frameRange: typeof frameRange;
  chunkSummarizer: typeof chunkSummarizer;
  countUtf8Tokens: typeof countUtf8Tokens;
  flagSpans: typeof flagSpans;
  escapeAttr: typeof escapeAttr;
  tagFor: typeof tagFor;
  header: typeof header;
  renderTree: typeof renderTree;
}): string {
  const args = [fns.frameRange, fns.chunkSummarizer, fns.countUtf8Tokens, fns.flagSpans, fns.escapeAttr, fns.tagFor, fns.header, fns.renderTree];
  return `(${workerMain.toString()})(${args.map(String).join(', ')})`;
}
