/**
 * The program of the scan's worker thread (scan-threads.ts starts it and talks to it). Its text is
 * what runs: it uses nothing but its arguments, the text of self-contained functions that this
 * thread runs too (`frameRange`, `chunkSummarizer`, `tokenPass`, `flagSpans`, `escapeAttr`,
 * `tagFor`, `header`, `renderTree`: one implementation each), and node's modules, reached with
 * `process.getBuiltinModule`, which works whether node runs the text as a script or, under
 * `--input-type=module`, as a module.
 *
 * It takes ranges as soon as the walk has sent their paths, until none is left, reading, counting
 * and screening each; before each, it counts and screens the ranges this thread handed over (this
 * thread hands over while the worker keeps up, and does the work itself when it does not). It
 * hashes every range (its own and the ones this thread hands over) as soon as the ones before it
 * are; once the walk is over it renders the context's header (its tree: every file the walk found).
 * When the reads are done, this thread sends the header (the one it rendered) and what follows the
 * files (the list of those the reads left out), and the digest is the header's behind the ranges'
 * and that tail's (context.ts `contextDigest`): nothing is hashed twice.
 */
import type { chunkSummarizer, RangeSummary, SummarizerData } from './chunk-summary.js';
import type { escapeAttr, header, renderTree, tagFor } from './context.js';
import type { FramedRange, frameRange } from './frame-range.js';
import type { ReadJob } from './scan-threads.js';
import type { flagSpans } from './secret-screen.js';
import type { tokenPass } from '../shared/token-pass.js';

/** The slots of the shared counters (an Int32Array over a SharedArrayBuffer). */
export const NEXT = 0; // the next range to take
export const PUBLISHED = 1; // ranges whose paths the worker has been sent
export const TOTAL = 2; // every range, once the walk is over (-1 before)
export const BACKLOG = 3; // ranges this thread handed over to be summarized, not answered yet

export interface WorkerSetup {
  /** Everything of the job but its paths, which come as the walk finds them. */
  settings: Omit<ReadJob, 'paths'>;
  control: Int32Array;
  summarizer: SummarizerData;
  openFlags: number;
  /** The worker's end of the channel (messages both ways). */
  port: import('node:worker_threads').MessagePort;
}

export type ToWorker =
  | { range: number; paths: string[] }
  | { add: number; framed: FramedRange; summarize: boolean }
  | { head: Uint8Array; tail: Uint8Array; ranges: number };
export type FromWorker = { header: string } | { range: number; framed?: FramedRange; summary: RangeSummary } | { sha256: string } | { error: string };

function workerMain(
  frame: typeof frameRange,
  summarizer: typeof chunkSummarizer,
  pass: typeof tokenPass,
  flag: typeof flagSpans,
  attr: typeof escapeAttr,
  tag: typeof tagFor,
  headerOf: typeof header,
  tree: typeof renderTree,
  views: typeof asBuffers,
  slots: { NEXT: number; PUBLISHED: number; TOTAL: number; BACKLOG: number },
): void {
  const { workerData, receiveMessageOnPort: receive } = process.getBuiltinModule('node:worker_threads');
  const fs = process.getBuiltinModule('node:fs');
  const { isUtf8 } = process.getBuiltinModule('node:buffer');
  const { createHash } = process.getBuiltinModule('node:crypto');
  const setup = workerData as WorkerSetup;
  const { port, control, settings: job } = setup;
  const work = summarizer(pass, flag, setup.summarizer);
  const allocate = (n: number) => Buffer.from(new SharedArrayBuffer(n));
  const tools = {
    port: fs,
    isUtf8,
    openFlags: setup.openFlags,
    escapeAttr: attr,
    tagFor: tag,
    allocate,
    arena: { block: null, used: 0 },
  };
  const paths: string[] = [];
  const kept = new Map<number, Uint8Array[]>(); // the chunks of ranges read, until they are hashed
  const running = createHash('sha256'); // of the files' sections: the context's digest but its header
  let rendered = false; // whether the header was rendered (once every path is known)
  let hashed = 0;
  /** Hashes every range kept whose ones before are hashed too, and lets go of them. */
  const hashOn = () => {
    for (let chunks = kept.get(hashed); chunks; chunks = kept.get(hashed)) {
      for (const piece of chunks) running.update(piece);
      kept.delete(hashed++);
    }
  };
  const keep = (r: number, f: FramedRange) => {
    kept.set(r, f.chunks);
    hashOn();
  };
  const handle = (m: ToWorker) => {
    if ('paths' in m) for (const [i, p] of m.paths.entries()) paths[m.range * job.rangeFiles + i] = p;
    else if ('add' in m) {
      const framed = views(m.framed);
      keep(m.add, framed);
      if (m.summarize) {
        port.postMessage({ range: m.add, summary: work.range(framed) } satisfies FromWorker);
        Atomics.sub(control, slots.BACKLOG, 1);
      }
    } else {
      // Every range was kept by now (this thread's before it sends the header, on the same port).
      if (hashed !== m.ranges) throw new Error(`the scan's worker has hashed ${hashed} of ${m.ranges} ranges`);
      // The digest of the header this thread sends behind the files hashed as they came and the tail (context.ts contextDigest).
      port.postMessage({ sha256: createHash('sha256').update(m.head).update(running.update(m.tail).digest()).digest('hex') } satisfies FromWorker);
    }
  };
  const drain = () => {
    for (let m = receive(port); m !== undefined; m = receive(port)) handle(m.message as ToWorker);
  };
  try {
    for (;;) {
      // The paths of a range are sent before the counters say it is there: read the counters, then the messages.
      const total = Atomics.load(control, slots.TOTAL);
      const published = Atomics.load(control, slots.PUBLISHED);
      drain();
      if (total >= 0 && !rendered) {
        // The walk is over (every path was sent before the total was set): the context's header, its tree the walk's paths.
        port.postMessage({ header: `${headerOf(paths.length)}<tree>\n${tree(paths)}</tree>\n` } satisfies FromWorker);
        rendered = true;
      }
      const r = Atomics.load(control, slots.NEXT);
      if (total >= 0 && r >= total) break;
      if (r >= published) {
        Atomics.wait(control, slots.PUBLISHED, published, 50); // until the walk sends more
        continue;
      }
      if (Atomics.compareExchange(control, slots.NEXT, r, r + 1) !== r) continue; // this thread took it first
      const from = r * job.rangeFiles;
      const framed = frame(tools, job.root, paths, from, Math.min(paths.length, from + job.rangeFiles), job.maxFileBytes, job.blockBytes);
      keep(r, framed);
      port.postMessage({ range: r, framed, summary: work.range(framed) } satisfies FromWorker);
    }
  } catch (e) {
    port.postMessage({ error: String((e as Error)?.stack ?? e) } satisfies FromWorker);
  }
  port.on('message', (m: ToWorker) => {
    try {
      handle(m);
    } catch (e) {
      port.postMessage({ error: String((e as Error)?.stack ?? e) } satisfies FromWorker);
    }
  });
}

/** Chunks that crossed a thread arrive as Uint8Arrays: the same memory, as Buffers again. Self-contained. */
export function asBuffers(f: FramedRange): FramedRange {
  return { ...f, chunks: f.chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)) };
}

/** The worker's program, as text (for `new Worker(…, { eval: true })`). */
export function workerSource(fns: {
  frameRange: typeof frameRange;
  chunkSummarizer: typeof chunkSummarizer;
  tokenPass: typeof tokenPass;
  flagSpans: typeof flagSpans;
  escapeAttr: typeof escapeAttr;
  tagFor: typeof tagFor;
  header: typeof header;
  renderTree: typeof renderTree;
}): string {
  const args = [fns.frameRange, fns.chunkSummarizer, fns.tokenPass, fns.flagSpans, fns.escapeAttr, fns.tagFor, fns.header, fns.renderTree, asBuffers];
  return `(${workerMain.toString()})(${args.map(String).join(', ')}, ${JSON.stringify({ NEXT, PUBLISHED, TOTAL, BACKLOG })})`;
}
