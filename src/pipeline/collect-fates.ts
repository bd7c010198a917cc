/**
 * The collect's decisions, with no I/O (as changesets plans a release in one place and applies it
 * in another): what one result line means for the tasks its request asked for, what a file's
 * write means for its task, and what a request with no result line means. collect.ts applies
 * them (downloads, writes, journal, task list, commit) and FateLedger gathers them into the
 * `collected` event.
 *
 * A task's fate, beyond "written, done":
 * - its section is complete: its file is written (collect.ts); the write decides (writtenFate):
 *   done, or failed when the path guard refuses the target, or a conflict when the person changed
 *   the target while the batch ran: not overwritten; the output is kept under
 *   `.harness/conflicts/<batch>/` and the task fails with a reason that says how to take either
 *   side (see targets.ts);
 * - its section is not closed, or absent: an attempt is used; pending again, or failed once the
 *   attempts are used up (`attempts` in the config);
 * - its section is ambiguous (the content showed the section format): not written; pending once
 *   more, with a note to the model in the next request; failed if the answer after the note is
 *   ambiguous again (see task-history.ts);
 * - its request came back `errored: invalid_request_error`: a request of several tasks is split
 *   (all back to pending, no attempt used, the next requests hold at most half as many tasks);
 *   a request of one task fails it with the API's message; any other error uses an attempt;
 * - its request's answer ended with `stop_reason: "refusal"` (the model declined): nothing is
 *   written from it, complete sections included (a refusal is not a cut output: what came before
 *   it is not trusted as an answer); an attempt is used; failed at the cap with a reason that says so;
 * - its request was canceled or expired, or has no result line: not processed, not billed: back
 *   to pending, no attempt used;
 * - it is still marked submitted in this batch but no request of the batch holds it (renamed in
 *   task-list.md while the batch ran): back to pending when the event is applied (collect-finish.ts).
 * A task ticked in task-list.md, done, or resubmitted in another batch is left alone.
 */
import type { BatchResultLine } from '../batch/api.js';
import { usageFromApi, type Usage } from '../cost/usage.js';
import { encodeAndHash, type FilePieces, piecesOf, withPieces } from '../output/file-pieces.js';
import { SectionSplitter } from '../output/split.js';
import { plural } from '../shared/plural.js';
import type { RetryRecord, TaskChangeRecord } from '../state/journal.js';
import type { Task } from '../tasks/task.js';
import { splitRefused, type TaskFollowUp } from './task-history.js';

/** What the decisions about one batch's results need to know. */
export interface FateContext {
  batchId: string;
  /** The config's `attempts`: an answer that uses the last one fails its task. */
  attemptsCap: number;
  /** custom_id → the task paths its request asked for (the intent's). */
  requests: ReadonlyMap<string, readonly string[]>;
  /** task-list.md as it is now, by task path (of each task, the decisions read its state only). */
  tasks: ReadonlyMap<string, TaskState>;
  /** What earlier collects asked of these tasks (taskFollowUps). */
  history: ReadonlyMap<string, TaskFollowUp>;
}

/**
 * What the decisions read of a task: its path and its state, not its description, group, id or
 * line. The collect gives them the parsed tasks themselves: it keeps the parsed list anyway, for the
 * finish to use again (parsing 20,000 tasks a second time was the finish's peak), so a copy of each
 * task's state would only add objects.
 */
export type TaskState = Pick<Task, 'path' | 'status' | 'checked' | 'batch' | 'attempts'>;

/** A task's fate, decided. */
export interface Fate {
  path: string;
  change: TaskChangeRecord;
  retry?: RetryRecord;
  report?: string;
  /** The file written for it. */
  file?: { path: string; sha256: string };
  /** Its output, kept aside because its target changed since the submit. */
  conflict?: { path: string; kept: string };
}

/** A file to write for a task: its outcome decides the task's fate (writtenFate). */
export interface FileWrite {
  task: TaskState;
  /** The content (made from `pieces`, when there are pieces, as it is read: the collect writes the pieces). */
  readonly content: string;
  /** The content as the splitter gave it, in pieces (output/file-pieces.ts): no large string is made on the way to the disk. */
  readonly pieces?: FilePieces;
}

/** A step of a decision, in order: a task's fate, or a file to write. */
export type FateStep = Fate | { write: FileWrite };

export interface Decision {
  /** The result decided, to count; null when the line is ignored (an unknown custom_id, or one seen already). */
  counted: { customId: string; type: BatchResultLine['result']['type'] } | null;
  /** What the request used (succeeded results only: the others are not billed). */
  usage: Usage | null;
  /** Lines for the report, before the steps' own. */
  report: string[];
  steps: FateStep[];
}

/** The outcome of a write: the file, or why not (with where the output was kept, for a conflict). */
export type CollectWrite =
  | { ok: true; repoRelPath: string /** of the bytes written, when the writer hashed them */; sha256?: string }
  | { ok: false; reason: string; conflict?: { repoRelPath: string; kept: string } };

/** The task at `taskPath` if this batch decides it: not ticked, not done, not resubmitted in another batch. */
function askedTask(ctx: FateContext, taskPath: string): TaskState | null {
  const t = ctx.tasks.get(taskPath);
  // The task list wins: a ticked task, or one resubmitted in another batch, is left alone.
  if (!t || t.checked || t.status === 'done') return null;
  if (t.status === 'submitted' && t.batch !== ctx.batchId) return null;
  return t;
}

/** What one result line decides; `seen` holds the custom_ids decided already (a repeated line is ignored). */
export function decideResult(line: BatchResultLine, ctx: FateContext, seen: ReadonlySet<string>): Decision {
  const id = line.custom_id;
  const paths = ctx.requests.get(id);
  if (!paths) return { counted: null, usage: null, report: [`result for unknown custom_id ${id} ignored`], steps: [] };
  if (seen.has(id)) return { counted: null, usage: null, report: [], steps: [] };
  const asked = paths.map((p) => askedTask(ctx, p)).filter((t): t is TaskState => t !== null);
  const result = line.result;
  const counted = { customId: id, type: result.type };
  if (result.type === 'succeeded') return { counted, usage: usageFromApi(result.message.usage), ...answered(id, result.message, asked, ctx) };
  if (result.type === 'errored') return { counted, usage: null, ...refused(id, result.error, paths, asked, ctx) };
  // canceled / expired: not processed, not billed: back to pending, no attempt used.
  return { counted, usage: null, report: [], steps: asked.map((t) => notProcessed(t, ctx)) };
}

type Succeeded = Extract<BatchResultLine['result'], { type: 'succeeded' }>;

/** A processed answer: its text cut into sections, one per task asked. */
function answered(id: string, message: Succeeded['message'], asked: readonly TaskState[], ctx: FateContext): Pick<Decision, 'report' | 'steps'> {
  if (message.stop_reason === 'refusal') {
    const what = asked.length === 1 ? 'its task is not' : `none of its ${asked.length} tasks are`;
    const report = [`${id}: ${REFUSAL}: ${what} written from it`];
    return { report, steps: asked.map((t) => ({ ...retryOrFail(t, REFUSAL, ctx), report: `${t.path}: ${REFUSAL}` })) };
  }
  // The text blocks one after the other through the streaming splitter (the same result as the
  // joined text: a long text comes from the reader as several blocks, see batch/result-line.ts).
  const splitter = new SectionSplitter(asked.map((t) => t.path));
  for (const b of message.content) if (b.type === 'text') splitter.push(b.text);
  const split = splitter.end();
  const report = [
    ...split.warnings.map((w) => `${id}: ${w}`),
    ...split.unrequested.map((p) => `${id}: section for unrequested path ${JSON.stringify(p)} not written`),
  ];
  const complete = new Map(split.files.map((f) => [f.path, f.pieces]));
  const ambiguous = new Set(split.ambiguous);
  const incomplete = new Set(split.incomplete);
  // An output cut by the window (input and output share it) is read like one cut at max_tokens:
  // complete sections kept, the rest back to pending, and the reason says which limit cut it.
  const limit =
    message.stop_reason === 'max_tokens'
      ? 'max_tokens'
      : (message.stop_reason as string) === 'model_context_window_exceeded'
        ? 'the context window'
        : null;
  const steps = asked.map((t): FateStep => {
    if (ambiguous.has(t.path)) return ambiguousFate(t, ctx);
    const pieces = complete.get(t.path);
    if (pieces !== undefined) return { write: withPieces({ task: t }, pieces) };
    const why = incomplete.has(t.path)
      ? limit
        ? `output cut at ${limit}`
        : 'section not closed'
      : limit
        ? `not reached before ${limit}`
        : 'no section in the output';
    return { ...retryOrFail(t, why, ctx), report: `${t.path}: ${why}` };
  });
  return { report, steps };
}

/** Why a task got nothing from an answer the model refused to give. */
export const REFUSAL = 'the model refused (stop_reason refusal)';

/** An errored request (`paths`, of which `asked` are still this batch's to decide). */
function refused(
  id: string,
  error: unknown,
  paths: readonly string[],
  asked: readonly TaskState[],
  ctx: FateContext,
): Pick<Decision, 'report' | 'steps'> {
  const err = (error as { error?: { type?: string; message?: string } }).error;
  const type = err?.type ?? 'api_error';
  const report = [`${id}: errored: ${type}: ${err?.message ?? ''}`];
  const split = type === 'invalid_request_error' ? splitRefused(paths) : null;
  if (split) {
    // One bad task must not fail its neighbours: split the request until it stands alone.
    // Errored requests are not billed, so no attempt is used.
    report.push(`${id}: its ${paths.length} tasks go back to pending, in requests of at most ${split.maxTasks}, to find the one the API refuses`);
    return { report, steps: asked.map((t) => ({ ...notProcessed(t, ctx), retry: split.retry.get(t.path)! })) };
  }
  const steps = asked.map((t): Fate => {
    if (type !== 'invalid_request_error') return retryOrFail(t, `errored: ${type}`, ctx);
    // A request of one task refused: that task is the bad one.
    return {
      path: t.path,
      change: { status: 'failed', attempts: t.attempts + 1, batch: ctx.batchId, reason: `invalid request: ${err?.message ?? ''}` },
    };
  });
  return { report, steps };
}

/** What a file's write means for its task. */
export function writtenFate(w: FileWrite, written: CollectWrite, batchId: string): Fate {
  const t = w.task;
  const attempts = t.attempts + 1;
  if (!written.ok && written.conflict) {
    const { repoRelPath, kept } = written.conflict;
    return {
      path: t.path,
      change: { status: 'failed', attempts, batch: batchId, reason: conflictReason(repoRelPath, batchId, kept) },
      report: `${repoRelPath}: changed since ${batchId} was submitted: left as it is; the generated version is in ${kept}`,
      conflict: { path: repoRelPath, kept },
    };
  }
  if (!written.ok) {
    return {
      path: t.path,
      change: { status: 'failed', attempts, batch: batchId, reason: `unsafe target: ${written.reason}` },
      report: `${t.path}: not written: ${written.reason}`,
    };
  }
  return {
    path: t.path,
    change: { status: 'done', checked: true, attempts, batch: batchId, reason: null },
    file: { path: written.repoRelPath, sha256: written.sha256 ?? encodeAndHash(piecesOf(w)).sha256 },
  };
}

/**
 * Whether a target must not be overwritten: it is no longer what it was at submit time (`before`;
 * an edit made while the batch ran), and does not already hold `content` (a collect redone after a
 * crash finds its own earlier write). `now` undefined: the guard refuses the path (the write says why).
 */
export function targetConflicts(before: string | null | undefined, now: string | null | undefined, content: string | FilePieces): boolean {
  return before !== undefined && now !== undefined && now !== before && now !== encodeAndHash(content).sha256;
}

/** The requests no result line answered (once every line is read): their tasks go back to pending. */
export function decideMissing(ctx: FateContext, seen: ReadonlySet<string>): Decision {
  const report: string[] = [];
  const steps: Fate[] = [];
  for (const [customId, paths] of ctx.requests) {
    if (seen.has(customId)) continue;
    report.push(`${customId}: no result line`);
    for (const p of paths) {
      const t = askedTask(ctx, p);
      if (t) steps.push(notProcessed(t, ctx));
    }
  }
  return { counted: null, usage: null, report, steps };
}

/** What the person is told about a conflict, on the task (its reason). */
function conflictReason(repoRelPath: string, batchId: string, kept: string): string {
  return (
    `conflict: ${repoRelPath} changed while ${batchId} ran; your version is left as it is and the generated one is in ${kept}. ` +
    `To keep yours, tick the task; to take the generated one, move it over ${repoRelPath} and tick the task`
  );
}

/** A processed answer that did not give the task its file: an attempt is used; failed at the cap. */
function retryOrFail(t: TaskState, reason: string, ctx: FateContext): Fate {
  const attempts = t.attempts + 1;
  return {
    path: t.path,
    change:
      attempts >= ctx.attemptsCap
        ? { status: 'failed', attempts, batch: ctx.batchId, reason: `${reason} (after ${plural(attempts, 'attempt')})` }
        : { status: 'pending', attempts, batch: ctx.batchId, reason: null },
  };
}

/** Not processed (canceled, expired, split, no result): pending again, no attempt used. */
function notProcessed(t: TaskState, ctx: FateContext): Fate {
  return { path: t.path, change: { status: 'pending', batch: ctx.batchId, reason: null } };
}

/** An ambiguous section: retried once with a note to the model, failed if ambiguous again. */
function ambiguousFate(t: TaskState, ctx: FateContext): Fate {
  const why = `ambiguous section: the content shows the section format (a line like <<<END ${t.path}>>>), so where the file ends cannot be told`;
  const report = `${t.path}: ${why}; not written`;
  const attempts = t.attempts + 1;
  if (ctx.history.get(t.path)?.ambiguous) {
    const reason = `${why}, again after a note to the model; write the file by hand, or change its description and retry`;
    return { path: t.path, change: { status: 'failed', attempts, batch: ctx.batchId, reason }, report };
  }
  if (attempts >= ctx.attemptsCap) {
    return {
      path: t.path,
      change: { status: 'failed', attempts, batch: ctx.batchId, reason: `${why} (after ${plural(attempts, 'attempt')})` },
      report,
    };
  }
  return { path: t.path, change: { status: 'pending', attempts, batch: ctx.batchId, reason: null }, retry: { ambiguous: true }, report };
}
