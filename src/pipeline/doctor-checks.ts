/**
 * `harness doctor`'s decisions: each check's row (name, status, detail) from what the effects
 * (doctor.ts) found out. Pure, so every outcome is table-tested without an API.
 */
import { formatUsd } from '../cost/usage.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface DoctorRow {
  name: string;
  status: CheckStatus;
  detail: string;
}

/** Prompts above this many input tokens are where a long-context beta or price could apply. */
export const LONG_CONTEXT_TOKENS = 200_000;

/** Billed input more than this share above the count is worth a warning. */
const BILLED_TOLERANCE = 0.05;

/** What an API call came to: the answer, or the error's HTTP status (null: not reached) and message. */
export type CallOutcome<T> = { ok: true; value: T } | { ok: false; status: number | null; message: string };

export const skipped = (name: string, why: string): DoctorRow => ({ name, status: 'skip', detail: `not checked: ${why}` });

export function keyRow(keySet: boolean, call: CallOutcome<unknown> | null, baseUrl: string): DoctorRow {
  const name = 'api key';
  if (!keySet) return { name, status: 'fail', detail: 'ANTHROPIC_API_KEY is not set' };
  if (!call) return skipped(name, 'no call made');
  if (call.ok) return { name, status: 'ok', detail: `accepted by ${baseUrl}` };
  if (call.status === 401 || call.status === 403)
    return { name, status: 'fail', detail: `refused by ${baseUrl} (HTTP ${call.status}): ${call.message}` };
  if (call.status === null) return { name, status: 'fail', detail: `cannot reach ${baseUrl}: ${call.message}` };
  return { name, status: 'fail', detail: `${baseUrl} answered HTTP ${call.status}: ${call.message}` };
}

/** What the Models API said of the model, judged (models/live-facts.ts: fetchModelFacts, judgeModelFacts). */
export interface ModelCheck {
  /** `live`: answered now; `cache`: an earlier answer (the API failed now); `table`: no answer at all. */
  source: 'live' | 'cache' | 'table';
  /** Why the live call failed, when it did. */
  error: string | null;
  lifecycle: string | null;
  /** The window and output ceiling the harness will use (the API's over the table's). */
  window: number;
  output: number;
  /** Reasons the harness refuses the model (retired, unknown, no batch support). */
  problems: string[];
  /** Things it warns about (deprecated, the table disagreeing with the API). */
  warnings: string[];
}

export function modelRow(id: string, m: ModelCheck): DoctorRow {
  const name = 'model';
  if (m.problems.length > 0) return { name, status: 'fail', detail: m.problems.join('; ') };
  const figures = `window ${m.window}, output ${m.output}`;
  if (m.source === 'table') {
    return {
      name,
      status: 'warn',
      detail: `${id}: the Models API did not answer (${m.error ?? 'no answer'}); the table's figures are used: ${figures}`,
    };
  }
  const facts = `${m.lifecycle ?? 'lifecycle unknown'}; ${figures} (Models API${m.source === 'cache' ? `, an earlier answer: now ${m.error ?? 'no answer'}` : ''})`;
  if (m.warnings.length > 0 || m.source === 'cache')
    return { name, status: 'warn', detail: `${id} ${facts}${m.warnings.length > 0 ? `; ${m.warnings.join('; ')}` : ''}` };
  return { name, status: 'ok', detail: `${id} ${facts}` };
}

/** The count of the real prefix: `counted` from count_tokens, `local` the harness's own estimate. */
export function countRow(what: string, local: number, counted: CallOutcome<number>): DoctorRow {
  const name = 'count_tokens';
  if (!counted.ok) return { name, status: 'warn', detail: `count_tokens failed (${counted.message}); local estimate ${local} tokens for ${what}` };
  const off = local === 0 ? 0 : (counted.value - local) / local;
  const note = Math.abs(off) > 0.2 ? ` (the local estimate, ${local}, is ${Math.round(off * -100)}% off: estimates without the API will be too)` : '';
  return { name, status: 'ok', detail: `${counted.value} input tokens for ${what}${note}` };
}

/** Input plus max_tokens within the window (it holds both). */
export function windowRow(input: number, maxTokens: number, window: number, source: string): DoctorRow {
  const name = 'window';
  const sum = `input ${input} + max_tokens ${maxTokens} = ${input + maxTokens}`;
  if (input + maxTokens <= window) return { name, status: 'ok', detail: `${sum} ≤ window ${window} (${source})` };
  const room = window - input;
  return {
    name,
    status: 'fail',
    detail: `${sum} > window ${window} (${source}): ${room > 0 ? `lower maxTokens to ${room} or less, or ` : ''}leave files out of the context (exclude)`,
  };
}

/** What one small streaming call of the whole prefix was billed, against the count of the same prompt. */
export interface LongContextProbe {
  counted: number;
  outcome: CallOutcome<{ billedInput: number; costUsd: number; requestId: string | null }>;
}

/**
 * Above 200K input tokens: does the prompt need a beta, or cost more? `probe` null: not measured
 * (it costs a call; `--probe-batch` allows it). The price per token is not in `usage`: the row
 * names the call's request id to look it up in the Console.
 */
export function longContextRow(input: number, probe: LongContextProbe | null, estimateUsd: number): DoctorRow {
  const name = 'long context';
  if (input <= LONG_CONTEXT_TOKENS)
    return { name, status: 'ok', detail: `input ${input} ≤ ${LONG_CONTEXT_TOKENS} tokens: the question does not arise` };
  if (!probe) {
    return {
      name,
      status: 'warn',
      detail: `input ${input} > ${LONG_CONTEXT_TOKENS} tokens: whether a beta or a long-context price applies is not measured; \`harness doctor --probe-batch\` makes one streaming call of this prompt to find out (about $${formatUsd(estimateUsd)})`,
    };
  }
  const o = probe.outcome;
  if (!o.ok) {
    const refused = o.status === 400 || o.status === 413;
    return {
      name,
      status: 'fail',
      detail: `a streaming call of ${input} input tokens failed (${o.status === null ? o.message : `HTTP ${o.status}: ${o.message}`})${refused ? ': the prompt seems to need a long-context beta the harness does not send' : ''}`,
    };
  }
  const off = probe.counted === 0 ? 0 : (o.value.billedInput - probe.counted) / probe.counted;
  const lookUp = `the price per token is not in usage: compare the charge of request ${o.value.requestId ?? '(no id)'} in the Console with $${formatUsd(o.value.costUsd)} at the table's price`;
  if (off > BILLED_TOLERANCE) {
    return {
      name,
      status: 'warn',
      detail: `no beta needed, but billed ${o.value.billedInput} input tokens for a count of ${probe.counted} (+${(off * 100).toFixed(1)}%); ${lookUp}`,
    };
  }
  return {
    name,
    status: 'ok',
    detail: `accepted without a beta; billed ${o.value.billedInput} input tokens for a count of ${probe.counted}; ${lookUp}`,
  };
}

/** The one-request batch with the configured betas and max_tokens. */
export type ProbeOutcome =
  | { kind: 'succeeded'; batchId: string; costUsd: number }
  | { kind: 'errored'; batchId: string; message: string }
  | { kind: 'not-ended'; batchId: string; waitedMs: number; canceled: boolean }
  | { kind: 'refused'; status: number | null; message: string };

export function probeRow(outcome: ProbeOutcome | null, betas: readonly string[], maxTokens: number): DoctorRow {
  const name = 'probe batch';
  const what = `max_tokens ${maxTokens}${betas.length > 0 ? `, betas ${betas.join(',')}` : ', no beta'}`;
  if (!outcome) return skipped(name, 'run `harness doctor --probe-batch` to submit a one-request batch (a few tokens of cost)');
  switch (outcome.kind) {
    case 'succeeded':
      return { name, status: 'ok', detail: `${outcome.batchId} accepted ${what}; it cost $${formatUsd(outcome.costUsd)}` };
    case 'errored':
      return { name, status: 'fail', detail: `${outcome.batchId} refused its request (${what}): ${outcome.message}` };
    case 'refused':
      return {
        name,
        status: 'fail',
        detail: `creating the batch failed (${what}): ${outcome.status === null ? '' : `HTTP ${outcome.status}: `}${outcome.message}`,
      };
    case 'not-ended':
      return {
        name,
        status: 'warn',
        detail: `${outcome.batchId} (${what}) had not ended after ${Math.round(outcome.waitedMs / 1000)} s (batches can queue for hours)${outcome.canceled ? '; canceled' : '; cancel failed: cancel it with the API'}; nothing proven`,
      };
  }
}

/** 0 when no check failed, else 1. */
export const doctorExit = (rows: readonly DoctorRow[]): 0 | 1 => (rows.some((r) => r.status === 'fail') ? 1 : 0);
