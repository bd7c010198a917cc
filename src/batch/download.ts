/**
 * Results are downloaded to a local file first, then read from disk. A collect writes and syncs
 * thousands of files; holding the HTTP stream open meanwhile made it slow to drain and easy to cut
 * (a proxy, a deploy), and a cut stream failed the collect for good. So:
 *
 * 1. the results are streamed to `.harness/results/<batch>.jsonl` at network speed (local, ignored
 *    by git);
 * 2. a cut download resumes where it stopped (HTTP Range; a server that ignores the range sends it
 *    all again and the file starts over), again and again while it makes progress;
 * 3. the file is checked whole before anything is written: one line per request of the batch, each
 *    line a JSON object (a file that fails is fetched once more from the start);
 * 4. it is read from disk line by line (one reused buffer, long texts decoded in pieces by
 *    result-line.ts: memory stays flat whatever the length of the results), and deleted once
 *    every line has been read (the collect has then decided everything and records it); a file
 *    left by a killed or failed collect is reused (or resumed) by the next one, and a recovery
 *    deletes any left for a batch already collected.
 */
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Workspace } from '../pipeline/workspace.js';
import { writeAllAt } from '../shared/atomic-write.js';
import { HarnessError } from '../shared/errors.js';
import { HARNESS_STATE_DIR } from '../shared/paths.js';
import { ensureStateGitignore } from '../state/files.js';
import type { BatchInfo, BatchResultLine } from './api.js';
import { fileJsonLines, readChunks } from './jsonl.js';
import { parseResultLine } from './result-line.js';
import { apiBaseUrl, networkDetail } from './network.js';
import { apiError, isTransient, withRetry } from './retry.js';

const RESULTS_DIR = `${HARNESS_STATE_DIR}/results`;

export const resultsFile = (repoDir: string, batchId: string): string => path.join(repoDir, RESULTS_DIR, `${batchId}.jsonl`);

/** Tries in a row that bring no new byte before the download gives up (exit 1; the next run resumes). */
const MAX_STALLED_TRIES = 5;

export interface DownloadOptions {
  /** Called when a cut download is resumed (for the reporter). */
  onResume?: (info: { batchId: string; bytes: number; total: number | null; reason: string }) => void;
}

/**
 * The results of the ended batch `batchId`, downloaded whole to disk (or found there from an
 * earlier try), then read line by line from the file.
 */
export async function downloadResults(ws: Workspace, batchId: string, options: DownloadOptions = {}): Promise<AsyncIterable<BatchResultLine>> {
  const api = ws.api();
  if (!api.resultsBytes) {
    // A port without raw access (a test double): read through it as before.
    return withRetry(`downloading results of ${batchId}`, () => api.results(batchId), { sleep: ws.sleep });
  }
  const file = resultsFile(ws.repoDir, batchId);
  await ensureStateGitignore(ws.repoDir);
  await mkdir(path.dirname(file), { recursive: true });
  const batch = await withRetry(`retrieving ${batchId}`, () => api.retrieve(batchId), { sleep: ws.sleep });
  const expected = lineCount(batch);
  const onResume =
    options.onResume ??
    ((i) => ws.reporter.warn(`the results download of ${i.batchId} was cut at ${i.bytes} of ${i.total ?? '?'} bytes (${i.reason}): resuming`));

  if (existsSync(file) && (await checkResultsFile(file, expected)).ok) {
    ws.reporter.info(`using the results of ${batchId} downloaded by an earlier run`);
    return readResults(file);
  }
  for (let round = 1; ; round++) {
    await fetchToFile(ws, batchId, batch, file, onResume);
    const check = await checkResultsFile(file, expected);
    if (check.ok) return readResults(file);
    // Whole by its size, yet not what a batch of this size returns: fetch it once more from scratch.
    await rm(file, { force: true });
    if (round >= 2) {
      throw new HarnessError('API', `the results of ${batchId} downloaded from ${apiBaseUrl(ws.env)} are not complete: ${check.reason}`, {
        hint: `the batch's results stay on the server${archiveNote(batch)}: run \`harness run\` again later to download them again`,
      });
    }
    ws.reporter.warn(`the downloaded results of ${batchId} are not complete (${check.reason}): downloading them again`);
  }
}

/** Deletes the downloaded results of batches `done` says are collected; returns how many. */
export async function pruneDownloadedResults(repoDir: string, done: (batchId: string) => boolean): Promise<number> {
  const dir = path.join(repoDir, RESULTS_DIR);
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const name of await readdir(dir)) {
    const m = /^(.+)\.jsonl$/.exec(name);
    if (m && done(m[1]!)) {
      await rm(path.join(dir, name), { force: true });
      n++;
    }
  }
  return n;
}

/** The file's lines; the file goes once the last one has been read (kept when reading stops early). */
async function* readResults(file: string): AsyncGenerator<BatchResultLine> {
  yield* fileJsonLines<BatchResultLine>(file, parseResultLine);
  await rm(file, { force: true });
}

const lineCount = (b: BatchInfo): number => {
  const c = b.request_counts;
  return c.processing + c.succeeded + c.errored + c.canceled + c.expired;
};

const archiveNote = (b: BatchInfo): string => {
  const created = Date.parse(b.created_at);
  return Number.isFinite(created) ? ` until ${new Date(created + 29 * 24 * 3600_000).toISOString().slice(0, 10)}` : '';
};

/** Downloads (or resumes) the results into `file` until the server's whole body is on disk. */
async function fetchToFile(
  ws: Workspace,
  batchId: string,
  batch: BatchInfo,
  file: string,
  onResume: NonNullable<DownloadOptions['onResume']>,
): Promise<void> {
  const api = ws.api();
  let stalled = 0;
  let delay = 500;
  for (;;) {
    const have = await stat(file).then(
      (s) => s.size,
      () => 0,
    );
    let total: number | null = null;
    let written = have;
    // The file is open before the request: once the response arrives its body is read at once
    // (a cut stream drops whatever the reader had not taken yet).
    const handle = await open(file, have === 0 ? 'w' : 'r+');
    try {
      const part = await api.resultsBytes!(batchId, have);
      total = part.total;
      if (part.start !== 0 && part.start !== have) throw new CutShort(`the server answered from byte ${part.start}, not ${have}`);
      if (part.start !== have) await handle.truncate(part.start);
      written = part.start;
      await drainToFile(part.body, handle, part.start, (n) => (written = n));
      if (total === null || written === total) return;
      if (written > total) throw new HarnessError('API', `the results of ${batchId} came with more bytes than announced (${written} > ${total})`);
      throw new CutShort(`the response ended at byte ${written} of ${total}`);
    } catch (error) {
      if (!(error instanceof CutShort) && !isTransient(error)) {
        throw apiError(`downloading the results of ${batchId}`, error, { hint: resumeHint(batch) });
      }
      const progressed = written > have;
      stalled = progressed ? 0 : stalled + 1;
      if (stalled >= MAX_STALLED_TRIES) {
        const detail = error instanceof CutShort ? error.message : networkDetail(error);
        throw new HarnessError(
          'API',
          `downloading the results of ${batchId} from ${apiBaseUrl(ws.env)} failed: ${detail} (${written} of ${total ?? '?'} bytes on disk, ${MAX_STALLED_TRIES} tries without progress)`,
          { cause: error, hint: resumeHint(batch) },
        );
      }
      onResume({ batchId, bytes: written, total, reason: error instanceof CutShort ? error.message : networkDetail(error) });
      if (!progressed) {
        await ws.sleep(delay);
        delay = Math.min(delay * 2, 30_000);
      }
    } finally {
      await handle.close();
    }
  }
}

/** Bytes the reader may hold ahead of the disk before it waits for the writes. */
const AHEAD_BYTES = 8 << 20;
/** Chunks gathered into one write (the body comes in pieces of ~64 KB: one write each kept a thread busy for little). */
const WRITE_BYTES = 1 << 20;

/**
 * Writes `body` to `handle` from byte `at`, reading the next chunks while earlier ones are being
 * written (a web stream that errors drops the chunks nobody has read yet), gathered into writes of
 * about WRITE_BYTES. `onWritten` gets the end offset of what is on disk after each write; on a
 * failed body, what arrived is written first.
 */
async function drainToFile(
  body: AsyncIterable<Uint8Array>,
  handle: Awaited<ReturnType<typeof open>>,
  at: number,
  onWritten: (end: number) => void,
): Promise<void> {
  let end = at;
  let ahead = 0;
  let gathered: Uint8Array[] = [];
  let gatheredBytes = 0;
  let writes: Promise<void> = Promise.resolve();
  const flush = () => {
    if (gatheredBytes === 0) return;
    const chunks = gathered;
    const bytes = gatheredBytes;
    gathered = [];
    gatheredBytes = 0;
    writes = writes.then(async () => {
      await writeAllAt(handle, chunks, end);
      end += bytes;
      ahead -= bytes;
      onWritten(end);
    });
  };
  try {
    for await (const chunk of body) {
      gathered.push(chunk);
      gatheredBytes += chunk.length;
      ahead += chunk.length;
      if (gatheredBytes >= WRITE_BYTES) flush();
      if (ahead > AHEAD_BYTES) await writes;
    }
  } finally {
    flush();
    await writes;
  }
}

const resumeHint = (batch: BatchInfo): string =>
  `nothing is lost: the batch ${batch.id} has ended on the server and its results stay there${archiveNote(batch)}; what was downloaded is kept in ${RESULTS_DIR}/. Run \`harness run\` (or \`harness collect\`) again to resume`;

class CutShort extends Error {}

export type ResultsCheck = { ok: true; lines: number } | { ok: false; reason: string };

/**
 * Whether `file` holds a whole results download: `expected` non-blank lines (when > 0), each one a
 * JSON object (`{` … `}`), the last one ended by a newline or by the end of a file of exactly
 * `expected` lines. One pass over the bytes, no JSON parsing (the collect parses each line).
 */
export async function checkResultsFile(file: string, expected: number): Promise<ResultsCheck> {
  let lines = 0;
  let bad: string | null = null;
  // The current line: its length so far, its first byte, its last two bytes.
  let len = 0;
  let first = 0;
  let b1 = 0;
  let b2 = 0;
  const finish = () => {
    const content = b1 === 13 ? len - 1 : len;
    const lastContent = b1 === 13 ? b2 : b1;
    if (content > 0) {
      lines++;
      if (bad === null && (first !== 0x7b || lastContent !== 0x7d)) bad = `line ${lines} is not a whole JSON object`;
    }
    len = 0;
  };
  for await (const chunk of readChunks(file)) {
    for (let start = 0; ; ) {
      const nl = chunk.indexOf(10, start);
      const end = nl === -1 ? chunk.length : nl;
      const n = end - start;
      if (n > 0) {
        if (len === 0) first = chunk[start]!;
        if (n >= 2) {
          b2 = chunk[end - 2]!;
          b1 = chunk[end - 1]!;
        } else {
          b2 = b1;
          b1 = chunk[start]!;
        }
        len += n;
      }
      if (nl === -1) break;
      finish();
      start = nl + 1;
    }
  }
  const unterminated = len > 0;
  finish();
  if (bad) return { ok: false, reason: bad };
  if (expected > 0 && lines !== expected) return { ok: false, reason: `${lines} result lines for ${expected} requests` };
  // A last line without its newline passes only when the count proves nothing is missing.
  if (unterminated && expected === 0) return { ok: false, reason: `the last line (${lines}) has no end` };
  return { ok: true, lines };
}
