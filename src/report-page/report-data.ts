/**
 * What the report page shows, decided once: the numbers come from the `status --json` document
 * (kept whole in `status`, so page and JSON cannot disagree); the journal adds the batches' times
 * and the verify diagnostics; git adds the collect commits. Pure: `report-effect.ts` gathers the
 * inputs, `report-html.ts` and `report-markdown.ts` render the result.
 */
import { costUsd, naivePerFileCostUsd, zeroUsage, type Usage } from '../cost/usage.js';
import type { Prices } from '../models/models.js';
import type { StatusReport } from '../pipeline/status.js';
import type { JournalState } from '../state/journal.js';
import { redactSecrets } from '../verify/diagnostics.js';
import { lastVerified } from '../verify/verify-decision.js';

/** The longest diagnostic line (a failure reason, a verify line) the page keeps, in characters. */
const MAX_DIAGNOSTIC_CHARS = 300;
/** Verify lines kept per task under repair. */
const MAX_DIAGNOSTIC_LINES = 5;

export interface CostSegments {
  input: number;
  cache_write: number;
  cache_read: number;
  output: number;
}

export interface ReportBatch {
  /** Index into `status.batches`: every number shown is read from there. */
  index: number;
  id: string;
  created_at: string | null;
  /** When the harness saw the batch ended and began collecting it (the journal's `collect` event). */
  ended_at: string | null;
  collected_at: string | null;
  /** created → ended, in ms (null until it ended). */
  wait_ms: number | null;
  /** created → collected, or ended → collected when one is missing. */
  collect_ms: number | null;
  /** The bill split by token kind (USD at batch rates, or tokens when the model has no prices). */
  segments: CostSegments | null;
  /** One synchronous uncached call per file for the same output (not for a cache warm-up). */
  naive: number | null;
  commit: ReportCommit | null;
}

export interface ReportCommit {
  sha: string;
  /** On GitHub when the repo's `origin` is there, else null (the short sha is shown). */
  url: string | null;
}

export interface ReportTask {
  /** Index into `status.tasks`. */
  index: number;
  /** Why it failed or is under repair: the status reason, then the verify lines naming it (redacted, bounded). */
  diagnostics: string[];
  repaired: boolean;
  commit: ReportCommit | null;
}

export interface ReportData {
  generated_at: string;
  repo: string;
  status: StatusReport;
  /** The unit of `segments` and `naive`: USD, or tokens when the model has no prices. */
  unit: 'usd' | 'tokens';
  batches: ReportBatch[];
  tasks: ReportTask[];
  /** Stages present, ascending (a list without stage headings has just 1). */
  stages: number[];
  /** Verify paths that no task generates (reported, left alone), and its output lines, redacted. */
  verify_other: string[];
}

export interface ReportInputs {
  status: StatusReport;
  journal: JournalState;
  prices: Prices | null;
  /** Collect commit per batch id (from `git log`). */
  commits: ReadonlyMap<string, string>;
  /** `origin`'s URL, or null. */
  remote: string | null;
  repo: string;
  /** For the redaction of the API key from diagnostics. */
  env: NodeJS.ProcessEnv;
  now: string;
}

export function reportData(input: ReportInputs): ReportData {
  const { status, journal } = input;
  const base = githubBase(input.remote);
  const commitOf = (batchId: string | null): ReportCommit | null => {
    const sha = batchId ? input.commits.get(batchId) : undefined;
    return sha ? { sha, url: base ? `${base}/commit/${sha}` : null } : null;
  };
  const endedAt = new Map<string, string>();
  for (const e of journal.events) if (e.type === 'collect' && !endedAt.has(e.batchId)) endedAt.set(e.batchId, e.at);
  const collectedAt = new Map(journal.batches.flatMap((b) => (b.batchId && b.collected ? [[b.batchId, b.collected.at] as const] : [])));
  const batches = status.batches.map((b, index): ReportBatch => {
    const ended = endedAt.get(b.id) ?? null;
    const collected = collectedAt.get(b.id) ?? null;
    return {
      index,
      id: b.id,
      created_at: b.created_at,
      ended_at: ended,
      collected_at: collected,
      wait_ms: span(b.created_at, ended),
      collect_ms: span(ended ?? b.created_at, collected),
      segments: b.usage ? segmentsOf(b.usage, input.prices) : null,
      naive: b.usage && b.purpose !== 'warmup' ? naiveOf(b.usage, b.requests, b.files ?? b.tasks, input.prices) : null,
      commit: commitOf(b.id),
    };
  });
  const verified = lastVerified(journal);
  const clean = (s: string) => bound(redactSecrets(s, input.env));
  const tasks = status.tasks.map((t, index): ReportTask => {
    // Own keys only: a task path may be any name, `constructor` or `valueOf` included.
    const lines = verified && Object.hasOwn(verified.repairs, t.path) ? verified.repairs[t.path]! : [];
    const failedByVerify = verified && Object.hasOwn(verified.failed, t.path) ? verified.failed[t.path] : undefined;
    const diagnostics = [t.reason, failedByVerify !== t.reason ? failedByVerify : undefined, ...lines.slice(0, MAX_DIAGNOSTIC_LINES)]
      .filter((s): s is string => typeof s === 'string' && s.trim() !== '')
      .map(clean);
    return { index, diagnostics, repaired: lines.length > 0, commit: t.status === 'done' ? commitOf(t.batch) : null };
  });
  return {
    generated_at: input.now,
    repo: input.repo,
    status,
    unit: input.prices ? 'usd' : 'tokens',
    batches,
    tasks,
    stages: [...new Set(status.tasks.map((t) => t.stage))].sort((a, b) => a - b),
    verify_other: verified ? verified.other.slice(0, 50).map(clean) : [],
  };
}

/** The bill of `usage` split by token kind: each part priced alone (the price is linear, so they add up). */
export function segmentsOf(usage: Usage, prices: Prices | null): CostSegments {
  const only = (part: Partial<Usage>) => ({ ...zeroUsage(), ...part });
  const value = (u: Usage, tokens: number) => (prices ? costUsd(u, prices, 'batch') : tokens);
  return {
    input: value(only({ input_tokens: usage.input_tokens }), usage.input_tokens),
    cache_write: value(
      only({
        cache_creation_input_tokens: usage.cache_creation_input_tokens,
        cache_creation_5m_input_tokens: usage.cache_creation_5m_input_tokens,
        cache_creation_1h_input_tokens: usage.cache_creation_1h_input_tokens,
      }),
      usage.cache_creation_input_tokens,
    ),
    cache_read: value(only({ cache_read_input_tokens: usage.cache_read_input_tokens }), usage.cache_read_input_tokens),
    output: value(only({ output_tokens: usage.output_tokens }), usage.output_tokens),
  };
}

function naiveOf(usage: Usage, requests: number, files: number, prices: Prices | null): number {
  if (prices) return naivePerFileCostUsd(usage, requests, files, prices);
  if (requests === 0) return 0;
  const inputPerRequest = (usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens) / requests;
  return inputPerRequest * Math.max(files, requests) + usage.output_tokens;
}

/** `https://github.com/owner/name` for a GitHub remote (https, ssh or git@ form), else null. */
export function githubBase(remote: string | null): string | null {
  if (!remote) return null;
  const m =
    /^(?:https:\/\/(?:[^@/\s]+@)?github\.com\/|ssh:\/\/git@github\.com(?::\d+)?\/|git@github\.com:)([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/?$/.exec(
      remote.trim(),
    );
  return m ? `https://github.com/${m[1]}/${m[2]}` : null;
}

function span(from: string | null, to: string | null): number | null {
  if (!from || !to) return null;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) ? Math.max(0, ms) : null;
}

function bound(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  const chars = [...one];
  return chars.length <= MAX_DIAGNOSTIC_CHARS ? one : `${chars.slice(0, MAX_DIAGNOSTIC_CHARS - 1).join('')}…`;
}
