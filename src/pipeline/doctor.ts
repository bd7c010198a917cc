/**
 * `harness doctor`: a preflight before a big first job, against the configured API. Each check is
 * one call (or none), its outcome turned into a row by doctor-checks.ts. It spends nothing unless
 * `--probe-batch`: then a one-request batch (a few tokens) and, for a prompt above 200K tokens,
 * one small streaming call of it. It never writes the task list, the journal or a commit.
 */
import path from 'node:path';
import type Anthropic from '@anthropic-ai/sdk';
import { createClient, sdkBatchApi } from '../batch/api.js';
import { pollDelay, pollSchedule } from '../batch/poll.js';
import { costUsd, usageFromApi } from '../cost/usage.js';
import { fetchModelFacts, judgeModelFacts } from '../models/live-facts.js';
import { pricesOf } from '../models/models.js';
import { HARNESS_STATE_DIR } from '../shared/paths.js';
import { isHarnessError } from '../shared/errors.js';
import {
  type CallOutcome,
  countRow,
  type DoctorRow,
  doctorExit,
  keyRow,
  LONG_CONTEXT_TOKENS,
  longContextRow,
  modelRow,
  type ProbeOutcome,
  probeRow,
  skipped,
  windowRow,
} from './doctor-checks.js';
import { doctorPrefix, plainParams } from './doctor-prefix.js';
import type { Workspace } from './workspace.js';

export interface DoctorOptions {
  probeBatch: boolean;
  /** Longest wait for the probe batch to end; then it is canceled. */
  probeWaitMs: number;
}

export interface DoctorReport {
  model: string;
  base_url: string;
  max_tokens: number;
  betas: string[];
  checks: DoctorRow[];
  /** 0 when no check failed, else 1. */
  exit_code: 0 | 1;
}

export async function runDoctor(ws: Workspace, options: DoctorOptions): Promise<DoctorReport> {
  const rows: DoctorRow[] = [];
  let client: Anthropic | null = null;
  try {
    client = createClient({ env: ws.env, maxRetries: 1 });
  } catch (error) {
    if (!isHarnessError(error)) throw error;
  }
  const baseUrl = client?.baseURL ?? ws.env.ANTHROPIC_BASE_URL ?? 'https://api.anthropic.com';
  const key = client ? await call(() => client!.beta.messages.batches.list({ limit: 1 }, { timeout: 30_000 })) : null;
  rows.push(keyRow(client !== null, key, baseUrl));
  const api = key?.ok ? client : null;
  const why = 'the key check failed';

  // Always asked afresh (maxAgeMs 0: a preflight checks now); the answer refreshes the cache.
  const fetched = api ? await fetchModelFacts(api, ws.model.id, { stateDir: path.join(ws.repoDir, HARNESS_STATE_DIR), maxAgeMs: 0 }) : null;
  const judged = fetched ? judgeModelFacts(ws.model, fetched.facts, { notFound: fetched.notFound, configured: ws.config.models[ws.model.id] }) : null;
  rows.push(
    fetched && judged
      ? modelRow(ws.model.id, {
          source: fetched.source,
          error: fetched.error,
          lifecycle: fetched.facts?.lifecycle ?? null,
          window: judged.use.contextWindow,
          output: judged.use.maxOutput,
          problems: judged.problems,
          warnings: judged.warnings,
        })
      : skipped('model', why),
  );

  const prefix = await doctorPrefix(ws).catch((error: unknown) => {
    if (!isHarnessError(error)) throw error;
    rows.push({ name: 'codebase', status: 'fail', detail: error.message });
    return null;
  });
  if (!prefix) return report(ws, baseUrl, rows);
  rows.push({ name: 'codebase', status: 'ok', detail: prefix.codebase });
  if (prefix.planProblem) rows.push({ name: 'requests', status: 'fail', detail: prefix.planProblem });

  const counted = api ? await call(async () => (await api.messages.countTokens(prefix.countParams)).input_tokens) : null;
  rows.push(counted ? countRow(prefix.what, prefix.localTokens, counted) : skipped('count_tokens', why));
  const input = counted?.ok ? counted.value : prefix.localTokens;
  // The tighter of the Models API's window and the harness's (its table or the config's `models`):
  // the request must fit what the API allows and what the harness enforces.
  const liveWindow = fetched?.facts?.contextWindow ?? null;
  const useLive = liveWindow !== null && liveWindow <= ws.model.contextWindow;
  rows.push(
    windowRow(
      input,
      ws.config.maxTokens,
      useLive ? liveWindow! : ws.model.contextWindow,
      `${useLive ? 'Models API' : 'models table'}; input ${counted?.ok ? 'from count_tokens' : 'from a local estimate'}`,
    ),
  );

  const prices = ws.model.prices ? pricesOf(ws.model) : null;
  const streamUsd = prices ? (input * prices.input + prices.output) / 1e6 : 0;
  if (input > LONG_CONTEXT_TOKENS && options.probeBatch && api) {
    const measured = await call(async () => {
      const stream = api.messages.stream({ ...plainParams(prefix.countParams), max_tokens: 1 });
      const message = await stream.finalMessage();
      const usage = usageFromApi(message.usage);
      const billedInput = usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens;
      return { billedInput, costUsd: prices ? costUsd(usage, prices, 'sync') : 0, requestId: stream.request_id ?? null };
    });
    rows.push(longContextRow(input, { counted: input, outcome: measured }, streamUsd));
  } else if (input > LONG_CONTEXT_TOKENS && !api && options.probeBatch) {
    rows.push(skipped('long context', why));
  } else {
    rows.push(longContextRow(input, null, streamUsd));
  }

  if (!options.probeBatch) rows.push(probeRow(null, ws.betas, ws.config.maxTokens));
  else if (!api) rows.push(skipped('probe batch', why));
  else rows.push(probeRow(await probeBatch(ws, api, options.probeWaitMs), ws.betas, ws.config.maxTokens));
  return report(ws, baseUrl, rows);
}

function report(ws: Workspace, baseUrl: string, rows: DoctorRow[]): DoctorReport {
  return { model: ws.model.id, base_url: baseUrl, max_tokens: ws.config.maxTokens, betas: [...ws.betas], checks: rows, exit_code: doctorExit(rows) };
}

/** A call's answer, or its HTTP status and message (never a stack; the key is never in it). */
async function call<T>(fn: () => Promise<T>): Promise<CallOutcome<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    const status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : null;
    const body = (error as { error?: { error?: { message?: string } } }).error?.error?.message;
    const message = body ?? (error instanceof Error ? error.message.split('\n')[0]! : String(error));
    return { ok: false, status, message };
  }
}

/** Submits the one-request batch, waits for it (at most `waitMs`), reads its result; cancels it if it has not ended. */
async function probeBatch(ws: Workspace, client: Anthropic, waitMs: number): Promise<ProbeOutcome> {
  const api = sdkBatchApi(client, ws.betas);
  const request = {
    custom_id: 'harness-doctor-probe',
    params: {
      model: ws.model.id,
      max_tokens: ws.config.maxTokens,
      system: 'You answer in one word.',
      messages: [{ role: 'user' as const, content: 'Reply with the word: ok' }],
    },
  };
  const created = await call(() => api.create([request], ws.betas));
  if (!created.ok) return { kind: 'refused', status: created.status, message: created.message };
  const id = created.value.id;
  ws.reporter.info(`probe batch ${id} submitted; waiting for it (at most ${Math.round(waitMs / 1000)} s)`);
  const schedule = pollSchedule(ws.config.poll, ws.env);
  const start = ws.now();
  for (let n = 0; ; n++) {
    const batch = await api.retrieve(id);
    if (batch.processing_status === 'ended') break;
    if (ws.now() - start >= waitMs) {
      const canceled = await call(() => api.cancel(id));
      return { kind: 'not-ended', batchId: id, waitedMs: ws.now() - start, canceled: canceled.ok };
    }
    await ws.sleep(Math.min(pollDelay(schedule, n), Math.max(0, waitMs - (ws.now() - start))));
  }
  for await (const line of await api.results(id)) {
    const r = line.result;
    if (r.type === 'succeeded') {
      const usd = ws.model.prices ? costUsd(usageFromApi(r.message.usage), pricesOf(ws.model), 'batch') : 0;
      return { kind: 'succeeded', batchId: id, costUsd: usd };
    }
    if (r.type === 'errored') {
      const e = r.error as { error?: { type?: string; message?: string } };
      return { kind: 'errored', batchId: id, message: `${e.error?.type ?? 'error'}: ${e.error?.message ?? 'no message'}` };
    }
    return { kind: 'errored', batchId: id, message: `the request came back ${r.type}` };
  }
  return { kind: 'errored', batchId: id, message: 'the batch ended without a result' };
}
