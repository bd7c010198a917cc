/**
 * Persistence. Layout of the data dir:
 *   batches/<id>.json            the batch record (atomic writes)
 *   batches/<id>.requests.jsonl  its requests with their schedule and assigned faults (until it ends)
 *   results/<id>.jsonl           its results, appended as requests are processed
 *   cache.json                   the prompt-cache state
 *   log.jsonl                    one line per HTTP request (append-only; never an API key)
 * Without a data dir, the same layout lives in a temp dir removed on close.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rm, stat, truncate } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { AssignedFault } from './faults.js';
import { writeJsonAtomic } from './fsutil.js';

export interface RequestCounts {
  succeeded: number;
  errored: number;
  canceled: number;
  expired: number;
}

export interface BatchRecord {
  version: 1;
  id: string;
  /** Creation order across restarts (list order). */
  seq: number;
  createdAt: number;
  /** When the last request is processed (simulated). */
  endsAt: number;
  /** In progress past this, unprocessed requests expire. */
  expireAt: number;
  cancelAt: number | null;
  /** A canceling batch ends here (in-flight requests scheduled before it still finish). */
  cancelEndsAt: number | null;
  endedAt: number | null;
  /** Results are unavailable from here on. */
  archiveAt: number;
  total: number;
  /** Requests processed so far (their lines are in the results file). */
  processed: number;
  /** Size of the results file for `processed` lines (a crash mid-append is cut back to it). */
  resultsBytes: number;
  counts: RequestCounts;
  betas: string[];
}

export interface StoredRequest {
  custom_id: string;
  /** As sent: validated only when the request is processed. */
  params: unknown;
  /** Scheduled processing time (ms since epoch). */
  at: number;
  /** When this request's cache writes become readable (the end of its wave); absent: at once. */
  cacheReadyAt?: number;
  fault: AssignedFault | null;
}

export class Store {
  readonly batchesDir: string;
  readonly resultsDir: string;
  private logStream: WriteStream | null = null;

  constructor(
    readonly root: string,
    private readonly temporary: boolean,
  ) {
    this.batchesDir = path.join(root, 'batches');
    this.resultsDir = path.join(root, 'results');
  }

  get cacheFile(): string {
    return path.join(this.root, 'cache.json');
  }

  async open(): Promise<void> {
    await mkdir(this.batchesDir, { recursive: true });
    await mkdir(this.resultsDir, { recursive: true });
    this.logStream = createWriteStream(path.join(this.root, 'log.jsonl'), { flags: 'a' });
    this.logStream.on('error', () => {});
  }

  async close(): Promise<void> {
    const s = this.logStream;
    this.logStream = null;
    if (s) await new Promise<void>((resolve) => s.end(resolve));
    if (this.temporary) await rm(this.root, { recursive: true, force: true });
  }

  appendLog(entry: object): void {
    this.logStream?.write(`${JSON.stringify(entry)}\n`);
  }

  batchFile(id: string): string {
    return path.join(this.batchesDir, `${id}.json`);
  }
  requestsFile(id: string): string {
    return path.join(this.batchesDir, `${id}.requests.jsonl`);
  }
  resultsFile(id: string): string {
    return path.join(this.resultsDir, `${id}.jsonl`);
  }

  /** Every stored batch record; unreadable ones are skipped. */
  async loadAll(): Promise<BatchRecord[]> {
    const out: BatchRecord[] = [];
    for (const name of await readdir(this.batchesDir)) {
      if (!/^msgbatch_[A-Za-z0-9]+\.json$/.test(name)) continue;
      try {
        const rec = JSON.parse(await readFile(path.join(this.batchesDir, name), 'utf8')) as BatchRecord;
        if (rec.version === 1 && typeof rec.id === 'string') out.push(rec);
      } catch {
        // a torn write cannot happen (atomic rename); anything else unreadable is not ours
      }
    }
    return out;
  }

  saveBatch(rec: BatchRecord): Promise<void> {
    return writeJsonAtomic(this.batchFile(rec.id), rec);
  }

  async writeRequests(id: string, requests: readonly StoredRequest[]): Promise<void> {
    const file = this.requestsFile(id);
    const ws = createWriteStream(file);
    for (const r of requests) {
      if (!ws.write(`${JSON.stringify(r)}\n`)) await once(ws, 'drain');
    }
    ws.end();
    await once(ws, 'close');
  }

  async readRequests(id: string): Promise<StoredRequest[]> {
    const out: StoredRequest[] = [];
    const rl = createInterface({ input: createReadStream(this.requestsFile(id)), crlfDelay: Infinity });
    for await (const line of rl) if (line) out.push(JSON.parse(line) as StoredRequest);
    return out;
  }

  async removeRequests(id: string): Promise<void> {
    await rm(this.requestsFile(id), { force: true });
  }

  async removeBatch(id: string): Promise<void> {
    await rm(this.batchFile(id), { force: true });
    await rm(this.requestsFile(id), { force: true });
    await rm(this.resultsFile(id), { force: true });
  }

  /** An appender on the results file, first cut back to `bytes` (lines of a crashed append go). */
  async openResults(id: string, bytes: number): Promise<ResultsWriter> {
    const file = this.resultsFile(id);
    const size = await stat(file).then(
      (s) => s.size,
      () => -1,
    );
    if (size < 0) await (await open(file, 'w')).close();
    else if (size !== bytes) await truncate(file, bytes);
    return new ResultsWriter(file, bytes);
  }

  async resultsSize(id: string): Promise<number | null> {
    return stat(this.resultsFile(id)).then(
      (s) => s.size,
      () => null,
    );
  }
}

/** Buffered appends (about 1 MB per write). */
class ResultsWriter {
  private chunks: string[] = [];
  private pending = 0;
  private handle: Awaited<ReturnType<typeof open>> | null = null;

  constructor(
    private readonly file: string,
    public bytes: number,
  ) {}

  async append(line: string): Promise<void> {
    this.chunks.push(line);
    this.pending += line.length;
    this.bytes += Buffer.byteLength(line);
    if (this.pending >= 1 << 20) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.chunks.length === 0) return;
    this.handle ??= await open(this.file, 'a');
    const data = this.chunks.join('');
    this.chunks = [];
    this.pending = 0;
    await this.handle.appendFile(data);
  }

  async close(): Promise<void> {
    await this.flush();
    await this.handle?.close();
    this.handle = null;
  }
}
