/**
 * Packing: pending tasks → requests, each asking for several files whose expected output fits
 * `maxTokens × (1 − safetyMargin)`.
 *
 * - A group (a run of consecutive tasks under the same heading) is kept in one request whenever
 *   it fits in one (docs/task-list.md: tasks under the same heading are generated together when they
 *   fit). A group larger than one request is cut, in order, into consecutive chunks that are each
 *   filled as far as the next task allows.
 * - The groups and chunks are then packed with first-fit decreasing (largest first, into the
 *   first request with room), which fills requests far better than starting a new request at
 *   every group that does not fit the current one.
 * - A task above the budget goes alone in its own request (when it is above `maxTokens` too, the
 *   output will be cut, and collect reports it).
 * - A task with a cap on its request's size (`maxTasks`: a request holding it came back
 *   `invalid_request_error` and is being narrowed down) is packed apart from the others: the
 *   capped tasks, in list order, are cut into consecutive requests, each closed when the next task
 *   would take it past the smallest cap of its tasks or past the budget. So the tasks of a refused
 *   request of n come back as two requests of at most ceil(n/2).
 * - Inside a request tasks keep their task-list order; requests are ordered by their first task.
 */
import type { HarnessConfig } from '../config/schema.js';
import { globToRegExp } from '../shared/glob.js';
import { estimateTokens } from '../shared/tokens.js';
import type { Task } from '../tasks/task.js';

export interface PackedRequest {
  /** `custom_id` of the request: `<first task id>-<number of tasks>`, e.g. `t12-5`. */
  customId: string;
  tasks: Task[];
  /** Sum of the tasks' estimates (section markers included). */
  expectedOutputTokens: number;
}

/**
 * Expected output tokens of one task: the first `packing.estimates[]` whose `match` glob matches
 * the task's path, else `packing.defaultTaskTokens`; plus the two marker lines of its section.
 */
export function estimateTaskTokens(task: Task, packing: HarnessConfig['packing']): number {
  const hit = packing.estimates.find((e) => globToRegExp(e.match).test(task.path));
  return (hit ? hit.tokens : packing.defaultTaskTokens) + markerTokens(task.path);
}

/** Tokens of the `<<<FILE path>>>` and `<<<END path>>>` lines around a file. */
export function markerTokens(taskPath: string): number {
  return estimateTokens(`<<<FILE ${taskPath}>>>\n`) + estimateTokens(`\n<<<END ${taskPath}>>>\n`);
}

export interface PackOptions {
  maxTokens: number;
  safetyMargin: number;
  estimate: (t: Task) => number;
  /** Most tasks a request holding this task may hold (undefined: no cap). */
  maxTasks?: (t: Task) => number | undefined;
}

/** The output budget of one request: floor(maxTokens × (1 − safetyMargin)), at least 1. */
export function requestBudget(options: Pick<PackOptions, 'maxTokens' | 'safetyMargin'>): number {
  return Math.max(1, Math.floor(options.maxTokens * (1 - options.safetyMargin)));
}

interface Item {
  /** Indexes into the task array, ascending. */
  tasks: number[];
  tokens: number;
}

export function packTasks(tasks: readonly Task[], options: PackOptions): PackedRequest[] {
  if (tasks.length === 0) return [];
  const budget = requestBudget(options);
  const cost = tasks.map((t) => Math.max(0, options.estimate(t)));
  const caps = tasks.map((t) => {
    const cap = options.maxTasks?.(t);
    return cap === undefined ? Number.POSITIVE_INFINITY : Math.max(1, Math.floor(cap));
  });

  // 0. Capped tasks: consecutive requests of their own, within the smallest cap and the budget.
  const bins: Item[] = [];
  let capped: (Item & { cap: number }) | null = null;
  for (let i = 0; i < tasks.length; i++) {
    if (caps[i] === Number.POSITIVE_INFINITY) continue;
    const cap: number = capped ? Math.min(capped.cap, caps[i]!) : caps[i]!;
    if (capped && (capped.tasks.length + 1 > cap || capped.tokens + cost[i]! > budget)) {
      bins.push({ tasks: capped.tasks, tokens: capped.tokens });
      capped = null;
    }
    capped ??= { tasks: [], tokens: 0, cap: caps[i]! };
    capped.tasks.push(i);
    capped.tokens += cost[i]!;
    capped.cap = Math.min(capped.cap, caps[i]!);
  }
  if (capped) bins.push({ tasks: capped.tasks, tokens: capped.tokens });
  const fixed = bins.length;

  // 1. Items: whole groups that fit in one request, chunks of the groups that do not.
  const items: Item[] = [];
  for (let start = 0; start < tasks.length; ) {
    if (caps[start] !== Number.POSITIVE_INFINITY) {
      start++;
      continue;
    }
    let end = start + 1;
    while (end < tasks.length && tasks[end]!.group === tasks[start]!.group && caps[end] === Number.POSITIVE_INFINITY) end++;
    let total = 0;
    for (let i = start; i < end; i++) total += cost[i]!;
    if (total <= budget) {
      items.push({ tasks: range(start, end), tokens: total });
    } else {
      let chunk: Item = { tasks: [], tokens: 0 };
      for (let i = start; i < end; i++) {
        if (chunk.tasks.length > 0 && chunk.tokens + cost[i]! > budget) {
          items.push(chunk);
          chunk = { tasks: [], tokens: 0 };
        }
        chunk.tasks.push(i);
        chunk.tokens += cost[i]!;
      }
      items.push(chunk);
    }
    start = end;
  }

  // 2. First-fit decreasing over the items (ties: list order), with a max-tree over the free space.
  // Slots of the free-space tree are bins[fixed + slot]: the capped requests take no more tasks.
  const order = items.map((_, i) => i).sort((a, b) => items[b]!.tokens - items[a]!.tokens || a - b);
  const free = new FreeSpaceTree(items.length);
  for (const k of order) {
    const item = items[k]!;
    const fits = item.tokens <= budget ? free.firstAtLeast(item.tokens) : -1;
    if (fits === -1) {
      bins.push({ tasks: [...item.tasks], tokens: item.tokens });
      free.set(bins.length - 1 - fixed, item.tokens <= budget ? budget - item.tokens : -1);
    } else {
      const bin = bins[fixed + fits]!;
      bin.tasks.push(...item.tasks);
      bin.tokens += item.tokens;
      free.set(fits, budget - bin.tokens);
    }
  }

  // 3. List order inside each request and across requests; readable, unique custom ids.
  for (const bin of bins) bin.tasks.sort((a, b) => a - b);
  bins.sort((a, b) => a.tasks[0]! - b.tasks[0]!);
  const used = new Set<string>();
  return bins.map((bin) => {
    const picked = bin.tasks.map((i) => tasks[i]!);
    return { customId: uniqueId(`${picked[0]!.id}-${picked.length}`, used), tasks: picked, expectedOutputTokens: bin.tokens };
  });
}

function range(start: number, end: number): number[] {
  const out: number[] = [];
  for (let i = start; i < end; i++) out.push(i);
  return out;
}

/** A valid custom_id from `base` (invalid characters → `_`, at most 64), unique among `used`. */
function uniqueId(base: string, used: Set<string>): string {
  const clean = base.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64) || 'r';
  let id = clean;
  for (let n = 2; used.has(id); n++) id = `${clean.slice(0, 64 - `-${n}`.length)}-${n}`;
  used.add(id);
  return id;
}

/** Free space per request slot, answering "first slot with at least x free" in O(log n). */
class FreeSpaceTree {
  private readonly size: number;
  private readonly max: number[];
  constructor(slots: number) {
    let size = 1;
    while (size < slots) size *= 2;
    this.size = size;
    this.max = new Array<number>(2 * size).fill(-1);
  }
  set(slot: number, value: number): void {
    let i = slot + this.size;
    this.max[i] = value;
    for (i >>= 1; i >= 1; i >>= 1) this.max[i] = Math.max(this.max[2 * i]!, this.max[2 * i + 1]!);
  }
  /** The lowest slot whose free space is ≥ x, or -1. */
  firstAtLeast(x: number): number {
    if (this.max[1]! < x) return -1;
    let i = 1;
    while (i < this.size) i = this.max[2 * i]! >= x ? 2 * i : 2 * i + 1;
    return i - this.size;
  }
}
