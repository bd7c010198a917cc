/**
 * Fault injection. HTTP faults are matched and consumed per HTTP request (so the SDK's own
 * retries see the next state); result faults are assigned to batch requests when the batch is
 * created. Counting rule, for both kinds: every rule counts the requests it matches, independently
 * of the other rules; it lets its first `skip` of them through, then may apply to the next `times`
 * (default 1; 0 = forever). When several rules may apply to a request, the first one in the list
 * does (only its `times` is used up). Latency result rules add up instead of competing.
 * So `[{status: 429, times: 2}, {status: 500, skip: 2}]` gives 429, 429, 500, then success.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { HarnessError } from '../shared/errors.js';

const regex = z.string().refine((s) => {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}, 'not a valid regular expression');

const count = z.number().int().nonnegative();

const httpFaultSchema = z.strictObject({
  method: z.string().min(1).optional(),
  /** Regex on the URL pathname. */
  path: regex.optional(),
  /**
   * refusal (POST /v1/messages): the call succeeds with `stop_reason: "refusal"`; with `afterChars`
   * the model's answer stops there (what came before is kept, as a streamed refusal would), else a
   * short declining text.
   */
  kind: z.enum(['status', 'reset', 'slow', 'stream-error', 'cut', 'refusal']),
  status: z.number().int().min(400).max(599).optional(),
  retryAfterS: z.number().nonnegative().optional(),
  delayMs: count.optional(),
  /** stream-error: after this many characters of text; refusal: the answer's first this many characters. */
  afterChars: count.optional(),
  /**
   * cut: a results download (`GET …/results`) sends this many bytes of its body, then the
   * connection is destroyed (default: half of what it would send).
   */
  afterBytes: count.optional(),
  /**
   * reset/status only: handle the request first (e.g. create the batch), then lose the response:
   * reset the connection, or answer with the error status instead (a "lost create").
   */
  afterProcessing: z.boolean().optional(),
  skip: count.optional(),
  times: count.optional(),
});

const resultFaultSchema = z.strictObject({
  /** Regex on the custom_id. */
  customId: regex.optional(),
  /** Text that a path the request asks for (its `## Files to write` list) contains. */
  pathContains: z.string().min(1).optional(),
  /** 1-based ordinal of batch creation in this emulator's life; omitted = every batch. */
  batch: z.number().int().positive().optional(),
  /** refusal: the request succeeds with a short text and `stop_reason: "refusal"`. */
  kind: z.enum(['errored', 'expired', 'canceled', 'truncate', 'refusal', 'latency']),
  errorType: z.enum(['overloaded_error', 'api_error', 'invalid_request_error']).optional(),
  /** truncate: cut the output at this many tokens (default: half of what the model wrote). */
  maxTokens: count.optional(),
  /** latency: this request takes this much longer (the batch ends later). */
  ms: count.optional(),
  skip: count.optional(),
  times: count.optional(),
});

export const faultConfigSchema = z.strictObject({
  http: z.array(httpFaultSchema).optional(),
  results: z.array(resultFaultSchema).optional(),
  /** Every HTTP response is delayed this long. */
  latencyMs: count.optional(),
});

export type HttpFault = z.infer<typeof httpFaultSchema>;
export type ResultFault = z.infer<typeof resultFaultSchema>;
export type FaultConfig = z.infer<typeof faultConfigSchema>;

/** What a batch request was assigned at create time (persisted with the request). */
export interface AssignedFault {
  kind: 'errored' | 'expired' | 'canceled' | 'truncate' | 'refusal';
  errorType?: 'overloaded_error' | 'api_error' | 'invalid_request_error';
  maxTokens?: number;
}

/** Validates a fault config; a bad one is a HarnessError naming `source` and the bad field. */
export function parseFaults(value: unknown, source: string): FaultConfig {
  const r = faultConfigSchema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new HarnessError('BAD_CONFIG', `invalid emulator fault config in ${source}: ${issues}`, {
    file: source,
    hint: 'see FaultConfig in src/emulator/faults.ts: {http?: [{kind, method?, path?, status?, ...}], results?: [...], latencyMs?}',
  });
}

/** Reads a JSON fault file. */
export function loadFaultsFile(file: string): FaultConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new HarnessError('BAD_CONFIG', `cannot read the emulator fault file ${file}: ${(error as Error).message}`, { file });
  }
  return parseFaults(parseJson(text, file), file);
}

/** HARNESS_EMULATOR_FAULTS: JSON text, or a path to a JSON file; undefined when unset or empty. */
export function faultsFromEnv(env: NodeJS.ProcessEnv = process.env): FaultConfig | undefined {
  const raw = env.HARNESS_EMULATOR_FAULTS?.trim();
  if (!raw) return undefined;
  if (raw.startsWith('{')) return parseFaults(parseJson(raw, 'HARNESS_EMULATOR_FAULTS'), 'HARNESS_EMULATOR_FAULTS');
  return loadFaultsFile(raw);
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HarnessError('BAD_CONFIG', `the emulator fault config in ${source} is not valid JSON: ${(error as Error).message}`, { file: source });
  }
}

interface Counter {
  seen: number;
  applied: number;
}

/** Counts a matching request; true when the rule may apply to it (skip passed, times left). */
function eligible(rule: { skip?: number | undefined; times?: number | undefined }, c: Counter): boolean {
  c.seen++;
  if (c.seen <= (rule.skip ?? 0)) return false;
  const times = rule.times ?? 1;
  return times === 0 || c.applied < times;
}

const phaseOf = (kind: HttpFault['kind']): 'arrival' | 'stream' | 'body' | 'answer' =>
  kind === 'stream-error' ? 'stream' : kind === 'cut' ? 'body' : kind === 'refusal' ? 'answer' : 'arrival';

/** The live fault state of one emulator: the config plus its counters. */
export class Faults {
  private config: FaultConfig = {};
  private httpCounters: Counter[] = [];
  private resultCounters: Counter[] = [];
  private httpRegex: (RegExp | null)[] = [];
  private resultRegex: (RegExp | null)[] = [];

  constructor(config: FaultConfig = {}) {
    this.set(config);
  }

  set(config: FaultConfig): void {
    this.config = parseFaults(config, 'setFaults');
    this.httpCounters = (this.config.http ?? []).map(() => ({ seen: 0, applied: 0 }));
    this.resultCounters = (this.config.results ?? []).map(() => ({ seen: 0, applied: 0 }));
    this.httpRegex = (this.config.http ?? []).map((r) => (r.path !== undefined ? new RegExp(r.path) : null));
    this.resultRegex = (this.config.results ?? []).map((r) => (r.customId !== undefined ? new RegExp(r.customId) : null));
  }

  get latencyMs(): number {
    return this.config.latencyMs ?? 0;
  }

  /**
   * The HTTP fault for this request, if one applies. stream-error rules only see streaming Messages
   * calls (asked once the body is read, `phase: 'stream'`); cut rules only see results downloads
   * (asked when the body is about to be sent, `phase: 'body'`); refusal rules only see Messages
   * calls, streaming or not (`phase: 'answer'`); the other kinds are asked at arrival (`phase: 'arrival'`).
   */
  http(method: string, pathname: string, phase: 'arrival' | 'stream' | 'body' | 'answer'): HttpFault | null {
    const rules = this.config.http ?? [];
    let winner: HttpFault | null = null;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      if (phaseOf(rule.kind) !== phase) continue;
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      const re = this.httpRegex[i];
      if (re && !re.test(pathname)) continue;
      const c = this.httpCounters[i]!;
      if (eligible(rule, c) && !winner) {
        winner = rule;
        c.applied++;
      }
    }
    return winner;
  }

  /**
   * Assigns result faults to one batch request; latency adds up separately from the outcome.
   * `paths`: the file paths the request asks for (read only by `pathContains` rules).
   */
  result(customId: string, batchOrdinal: number, paths: () => readonly string[] = () => []): { fault: AssignedFault | null; latencyMs: number } {
    const rules = this.config.results ?? [];
    let fault: AssignedFault | null = null;
    let latencyMs = 0;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      if (rule.batch !== undefined && rule.batch !== batchOrdinal) continue;
      const re = this.resultRegex[i];
      if (re && !re.test(customId)) continue;
      if (rule.pathContains !== undefined && !paths().some((p) => p.includes(rule.pathContains!))) continue;
      const c = this.resultCounters[i]!;
      if (!eligible(rule, c)) continue;
      if (rule.kind === 'latency') {
        c.applied++;
        latencyMs += rule.ms ?? 0;
        continue;
      }
      if (fault) continue;
      c.applied++;
      fault = { kind: rule.kind };
      if (rule.kind === 'errored') fault.errorType = rule.errorType ?? 'overloaded_error';
      if (rule.kind === 'truncate' && rule.maxTokens !== undefined) fault.maxTokens = rule.maxTokens;
    }
    return { fault, latencyMs };
  }
}
